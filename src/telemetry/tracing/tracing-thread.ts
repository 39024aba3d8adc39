import type { Logger } from "pino";
import type { RunEvent, RunNote, RunOutput } from "../../run/index.js";
import type { ObservedRun, RunObserver, RunWatch } from "../../runtime/index.js";
import { startWorker, WorkerClient } from "../../threads/index.js";
import { epochNow, toEpoch, TRACED } from "./run-spans.js";
import { slimEvent } from "./tracing-thread-protocol.js";
import type { RunEntry, TracingLog, TracingRequest, TracingThreadData } from "./tracing-thread-protocol.js";

type Request = Omit<TracingRequest, "id">;

/** Entries sent in one message at most; more wait for the next. */
const MAX_ENTRIES = 512;
/** After the thread fails, how long runs go untraced before it is started again. */
const RESTART_AFTER_MS = 10_000;

/**
 * Tracing on a thread of its own (SQLite stores with a trace file): the serving thread only notes
 * what runs do, in a compact form, and sends it as JSON text every few milliseconds; the thread
 * makes the spans, stores them in the trace file and exports them over OTLP. Making, storing and
 * exporting spans then costs the thread that serves requests next to nothing.
 */
export class TracingThread implements RunObserver {
  readonly #client: WorkerClient;
  readonly #delayMs: number;
  #entries: RunEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #nextRun = 0;
  /** While the thread is down after a failure: until when, and how many runs' entries were dropped. */
  #downUntil = 0;
  #dropped = 0;

  constructor(
    data: TracingThreadData,
    private readonly logger?: Logger,
  ) {
    this.#delayMs = Math.min(data.settings.batchDelayMs ?? 500, 20);
    this.#client = new WorkerClient(
      () => startWorker(import.meta.url, "tracing-worker", data),
      (m) => {
        const { log } = m as TracingLog;
        if (log) logger?.warn(log.fields, log.msg);
      },
      (code) => {
        if (code === 0) return;
        this.#downUntil = Date.now() + RESTART_AFTER_MS;
        logger?.warn(
          { code },
          `the tracing thread failed; runs go untraced for ${RESTART_AFTER_MS / 1000} s`,
        );
      },
    );
  }

  runStarted(observed: ObservedRun): RunWatch {
    const run = this.#nextRun++;
    this.add([0, run, observed, epochNow()]);
    return new NotedRun(this, run);
  }

  /** Sends what runs noted, then waits until the thread has stored and exported their spans. */
  async flush(): Promise<void> {
    this.#send();
    if (this.#client.running) await this.#client.request<void>({ op: "flush" } satisfies Request);
  }

  /** Flushes, then ends the thread (not started if no run was ever noted). */
  async shutdown(): Promise<void> {
    this.#send();
    if (!this.#client.running) return;
    await this.#client.request<void>({ op: "shutdown" } satisfies Request);
    await this.#client.close({ op: "exit" });
  }

  /** Queues an entry for the thread (NotedRun's way in). */
  add(entry: RunEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length >= MAX_ENTRIES) this.#send();
    else this.#timer ??= setTimeout(() => this.#send(), this.#delayMs).unref();
  }

  #send(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#entries.length) return;
    const entries = this.#entries;
    this.#entries = [];
    if (Date.now() < this.#downUntil) {
      this.#dropped += entries.length;
      return;
    }
    if (this.#dropped) {
      this.logger?.warn({ entries: this.#dropped }, "run entries dropped while the tracing thread was down");
      this.#dropped = 0;
    }
    // One string: copying it to the thread costs a fraction of copying the entries as objects.
    this.#client.post(JSON.stringify(entries));
  }
}

/** One run's watch: notes its traced events and its end for the tracing thread. */
class NotedRun implements RunWatch {
  #ended = false;

  constructor(
    private readonly thread: TracingThread,
    private readonly run: number,
  ) {}

  event(ev: RunEvent): void {
    if (!this.#ended && TRACED.has(ev.event)) this.thread.add([1, this.run, slimEvent(ev), epochNow()]);
  }

  note(note: RunNote): void {
    if (this.#ended) return;
    this.thread.add([2, this.run, { ...note, started: toEpoch(note.started), ended: toEpoch(note.ended) }]);
  }

  end(output: RunOutput | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.thread.add([
      3,
      this.run,
      output ? { status: output.status, error: output.error } : null,
      epochNow(),
    ]);
  }
}
