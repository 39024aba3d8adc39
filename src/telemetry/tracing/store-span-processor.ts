import type { Logger } from "pino";

/** What the span processors log through: pino, or the tracing thread's relay to it. */
export type WarnLogger = Pick<Logger, "warn">;
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { SpanRow, TraceRecord, TraceStore } from "../../storage/index.js";
import { toSpanRow, toTraceRecord } from "./span-records.js";

export interface StoreSpanBatching {
  /** How long a finished span may wait for others before the batch is written. */
  delayMs: number;
  /** A batch is written as soon as it has this many spans. */
  maxBatch: number;
  /** Spans waiting beyond this (the database is down or far behind) are dropped, with a warning. */
  maxQueue: number;
}

/**
 * Stores finished spans in the OS database (traces and spans tables), in batches written off the
 * request path. A span becomes its row (attributes as JSON text) as it ends, so only that row
 * waits for the batch, not the span and everything it refers to.
 */
export class StoreSpanProcessor implements SpanProcessor {
  #spans: SpanRow[] = [];
  #traces: TraceRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing = new Set<Promise<void>>();
  #queued = 0;
  #dropped = 0;

  constructor(
    private readonly store: Pick<TraceStore, "write">,
    private readonly batching: StoreSpanBatching,
    private readonly logger?: WarnLogger,
  ) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#queued >= this.batching.maxQueue) {
      this.#dropped++;
      return;
    }
    const record = toSpanRow(span);
    this.#spans.push(record);
    const t = toTraceRecord(span, record);
    if (t) this.#traces.push(t);
    this.#queued++;
    if (this.#spans.length >= this.batching.maxBatch) this.#write();
    else this.#timer ??= setTimeout(() => this.#write(), this.batching.delayMs).unref();
  }

  async forceFlush(): Promise<void> {
    this.#write();
    await Promise.all([...this.#writing]);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }

  #write(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#spans.length) return;
    const batch = { spans: this.#spans, traces: this.#traces };
    this.#spans = [];
    this.#traces = [];
    const work = this.store
      .write(batch)
      .catch((err: unknown) => this.logger?.warn({ err, spans: batch.spans.length }, "could not store spans"))
      .finally(() => {
        this.#queued -= batch.spans.length;
        this.#writing.delete(work);
        if (this.#dropped) {
          this.logger?.warn({ dropped: this.#dropped }, "spans dropped: the database fell behind");
          this.#dropped = 0;
        }
      });
    this.#writing.add(work);
  }
}
