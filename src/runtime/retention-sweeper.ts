import type { Logger } from "pino";
import type { Store } from "../storage/index.js";

export interface RetentionOptions {
  store: Store;
  /** Stored events of runs that ended longer ago than this are deleted. */
  eventRetentionMs: number;
  /** Traces older than this are deleted with their spans; absent: traces are kept. */
  traceRetentionMs?: number;
  /** Time between sweeps. Default: a tenth of the retention, between one minute and one hour. */
  intervalMs?: number;
  logger?: Logger;
}

/**
 * Deletes what is kept only for a while: the stored events of runs that ended before the retention
 * window, and expired idempotency keys, in small batches. Sweeps once at start, then on a timer
 * that never keeps the process alive.
 */
export class RetentionSweeper {
  readonly intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RetentionOptions) {
    this.intervalMs =
      options.intervalMs ?? Math.min(3_600_000, Math.max(60_000, Math.floor(options.eventRetentionMs / 10)));
  }

  start(): void {
    if (this.#timer) return;
    const tick = () => {
      this.#sweeping = this.sweep().catch((err: unknown) =>
        this.options.logger?.error({ err }, "could not delete expired run events"),
      );
      this.#timer = setTimeout(tick, this.intervalMs);
      this.#timer.unref();
    };
    this.#timer = setTimeout(tick, 0);
    this.#timer.unref();
  }

  /** One sweep; resolves with how many event spans, idempotency keys and traces went. */
  async sweep(now = Date.now()): Promise<{ events: number; idempotencyKeys: number; traces: number }> {
    const { store, logger, eventRetentionMs, traceRetentionMs } = this.options;
    const events = await store.events.prune(now - eventRetentionMs);
    const idempotencyKeys = await store.idempotency.prune(now);
    const traces =
      traceRetentionMs === undefined ? 0 : await store.traces.prune((now - traceRetentionMs) * 1000);
    if (events || idempotencyKeys || traces)
      logger?.debug({ events, idempotencyKeys, traces }, "deleted expired run data");
    return { events, idempotencyKeys, traces };
  }

  /** Stops the timer and waits for a sweep in progress (before the store closes). */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#sweeping;
  }
}
