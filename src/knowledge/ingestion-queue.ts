import type { Logger } from "pino";

interface Job {
  id: string;
  run: (signal: AbortSignal) => Promise<unknown>;
  /** Called instead of `run` when the job is dropped before it started (shutdown). */
  dropped?: () => Promise<unknown>;
  controller: AbortController;
}

export interface IngestionQueueOptions {
  /** Jobs processed at the same time. Default 2. */
  concurrency?: number;
  logger?: Logger;
}

/**
 * Background ingestion with bounded concurrency, owned by one AgentOS. Jobs are independent:
 * one failing never affects another. `cancel` stops one job, `close` drops the queue.
 */
export class IngestionQueue {
  readonly concurrency: number;
  #queued: Job[] = [];
  #running = new Set<Job>();
  #idle: (() => void)[] = [];
  #closed = false;
  #logger?: Logger;

  constructor(options: IngestionQueueOptions = {}) {
    const n = options.concurrency ?? 2;
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${n}`);
    this.concurrency = n;
    this.#logger = options.logger;
  }

  /** Jobs waiting or running. */
  get size(): number {
    return this.#queued.length + this.#running.size;
  }

  push(id: string, run: (signal: AbortSignal) => Promise<unknown>, dropped?: () => Promise<unknown>): void {
    if (this.#closed) {
      dropped?.().catch((err) =>
        this.#logger?.error({ err, content_id: id }, "could not mark dropped content"),
      );
      return;
    }
    this.#queued.push({ id, run, dropped, controller: new AbortController() });
    this.#pump();
  }

  /** Stops the job of that id: dropped if it waits, aborted if it runs. */
  cancel(id: string, reason = "cancelled"): void {
    const waiting = this.#queued.findIndex((j) => j.id === id);
    if (waiting >= 0) this.#queued.splice(waiting, 1);
    for (const job of this.#running) if (job.id === id) job.controller.abort(new Error(reason));
    this.#settle();
  }

  /** Resolves when nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Refuses new jobs, drops waiting ones, lets running ones finish for `graceMs`, then aborts them. */
  async close(graceMs: number): Promise<void> {
    this.#closed = true;
    const dropped = this.#queued.splice(0);
    await Promise.allSettled(dropped.map((j) => j.dropped?.()));
    if (this.#running.size === 0) return;
    const timer = setTimeout(() => {
      for (const job of this.#running) job.controller.abort(new Error("the server shut down"));
    }, graceMs);
    await this.idle();
    clearTimeout(timer);
  }

  #pump(): void {
    while (this.#running.size < this.concurrency && this.#queued.length) {
      const job = this.#queued.shift()!;
      this.#running.add(job);
      void job
        .run(job.controller.signal)
        .catch((err) => this.#logger?.error({ err, content_id: job.id }, "ingestion job failed"))
        .finally(() => {
          this.#running.delete(job);
          this.#pump();
          this.#settle();
        });
    }
  }

  #settle(): void {
    if (this.size > 0) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
