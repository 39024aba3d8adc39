import type { RunEvent } from "../run/index.js";

/**
 * The recent events of one live run, numbered by event_index. Bounded: past `capacity`, the oldest
 * are dropped from memory (they stay in the event store). Readers wait for more without polling.
 */
export class EventBuffer {
  #events: RunEvent[] = [];
  /** event_index of #events[0]. */
  #first = 0;
  #closed = false;
  #waiter: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(readonly capacity = 10_000) {}

  get closed(): boolean {
    return this.#closed;
  }
  /** Index of the oldest event still in memory. */
  get firstIndex(): number {
    return this.#first;
  }
  /** Index the next event will have. */
  get nextIndex(): number {
    return this.#first + this.#events.length;
  }
  get last(): RunEvent | undefined {
    return this.#events[this.#events.length - 1];
  }

  push(ev: RunEvent): void {
    if (this.#closed) throw new Error("EventBuffer is closed");
    this.#events.push(ev);
    if (this.#events.length > this.capacity) {
      const drop = this.#events.length - this.capacity;
      this.#events.splice(0, drop);
      this.#first += drop;
    }
    this.#wake();
  }

  /** Events with index >= `from` that are still in memory. */
  from(from: number): RunEvent[] {
    const start = Math.max(0, from - this.#first);
    return start >= this.#events.length ? [] : this.#events.slice(start);
  }

  all(): RunEvent[] {
    return this.#events.slice();
  }

  close(): void {
    this.#closed = true;
    this.#wake();
  }

  /** Resolves at the next push or at close. */
  changed(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (!this.#waiter) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#waiter = { promise, resolve };
    }
    return this.#waiter.promise;
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.resolve();
  }
}
