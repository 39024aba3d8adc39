/** One key's count in its current window. */
export interface WindowCount {
  count: number;
  /** Epoch ms when the window ends and the count starts again from zero. */
  resetAt: number;
}

/**
 * Counts hits per key in fixed windows. The in-memory one serves one process; a shared one
 * (Redis: INCR + PEXPIRE) lets replicas share the limit.
 */
export interface RateLimitCounter {
  /** Counts one hit of `key`; a key's first hit (or first after its window ended) opens a window of `windowMs`. */
  hit(key: string, windowMs: number): Promise<WindowCount> | WindowCount;
}

/** Counts in this process's memory; expired windows are swept as hits arrive, so no timer runs. */
export class MemoryRateLimitCounter implements RateLimitCounter {
  readonly #windows = new Map<string, WindowCount>();
  #nextSweep = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  hit(key: string, windowMs: number): WindowCount {
    const now = this.now();
    if (now >= this.#nextSweep) this.#sweep(now, windowMs);
    let w = this.#windows.get(key);
    if (!w || now >= w.resetAt) {
      w = { count: 0, resetAt: now + windowMs };
      this.#windows.set(key, w);
    }
    w.count++;
    return { count: w.count, resetAt: w.resetAt };
  }

  /** Keys currently counted (for tests and metrics). */
  get size(): number {
    return this.#windows.size;
  }

  #sweep(now: number, windowMs: number): void {
    for (const [key, w] of this.#windows) if (now >= w.resetAt) this.#windows.delete(key);
    this.#nextSweep = now + windowMs;
  }
}
