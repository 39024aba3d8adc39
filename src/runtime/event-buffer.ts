import type { RunEvent } from "../run/index.js";

/**
 * The recent events of one live run, numbered by event_index. Bounded: past `capacity`, the oldest
 * are dropped from memory, but only once the event store has them (`stored`), so that a reader who
 * falls behind finds them there. Readers wait for more without polling.
 */
export class EventBuffer {
  #events: RunEvent[] = [];
  /** event_index of #events[0]. */
  #first: number;
  /** Events up to this index may leave memory: the store has them (or will never get them). */
  #droppable: number;
  #closed = false;
  #waiter: { promise: Promise<void>; resolve: () => void } | undefined;

  /**
   * @param capacity events kept in memory once stored
   * @param firstIndex the index of the first event (a continued run's stream goes on from its pause)
   * @param persisted whether events are stored; if not, they leave memory as soon as the buffer is full
   */
  constructor(
    readonly capacity = 10_000,
    firstIndex = 0,
    persisted = true,
  ) {
    this.#first = firstIndex;
    this.#droppable = persisted ? firstIndex - 1 : Number.POSITIVE_INFINITY;
  }

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
  /** Events held in memory. */
  get size(): number {
    return this.#events.length;
  }
  get last(): RunEvent | undefined {
    return this.#events[this.#events.length - 1];
  }

  push(ev: RunEvent): void {
    if (this.#closed) throw new Error("EventBuffer is closed");
    this.#events.push(ev);
    this.#trim();
    this.#wake();
  }

  /** The event store has every event up to `index`: they may leave memory. */
  stored(index: number): void {
    if (index <= this.#droppable) return;
    this.#droppable = index;
    this.#trim();
  }

  /** Up to `max` events with index >= `from` that are still in memory. */
  from(from: number, max = Number.POSITIVE_INFINITY): RunEvent[] {
    const start = Math.max(0, from - this.#first);
    if (start >= this.#events.length) return [];
    return this.#events.slice(start, Math.min(this.#events.length, start + max));
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

  #trim(): void {
    const excess = this.#events.length - this.capacity;
    if (excess <= 0) return;
    const drop = Math.min(excess, this.#droppable - this.#first + 1);
    if (drop <= 0) return;
    this.#events.splice(0, drop);
    this.#first += drop;
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.resolve();
  }
}
