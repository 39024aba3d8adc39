import type { Logger } from "pino";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { Store, TraceRecord } from "../../storage/index.js";
import { toSpanRecord, toTraceRecord } from "./span-records.js";

type ExportCallback = Parameters<SpanExporter["export"]>[1];

/** Writes each batch the span processor hands over into the OS database (traces and spans tables). */
export class StoreSpanExporter implements SpanExporter {
  #pending = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly logger?: Logger,
  ) {}

  export(spans: ReadableSpan[], done: ExportCallback): void {
    const records = spans.map(toSpanRecord);
    const traces: TraceRecord[] = [];
    spans.forEach((s, i) => {
      const t = toTraceRecord(s, records[i]!);
      if (t) traces.push(t);
    });
    const work = this.store.traces.write({ traces, spans: records }).then(
      () => done({ code: 0 }),
      (err: unknown) => {
        this.logger?.warn({ err, spans: spans.length }, "could not store spans");
        done({ code: 1, error: err instanceof Error ? err : new Error(String(err)) });
      },
    );
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }
}
