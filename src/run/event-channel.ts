import type { EventFactory } from "./event-factory.js";
import type { RunEvent } from "./events.js";

/**
 * Events pushed by concurrent producers (a team leader and its members, parallel workflow
 * branches) for one reader, in the order they were produced.
 */
export class EventChannel {
  #queue: RunEvent[] = [];
  #waiter: { promise: Promise<void>; resolve: () => void } | undefined;

  push(ev: RunEvent): void {
    this.#queue.push(ev);
    this.wake();
  }

  /** Everything pushed so far, removed from the channel. */
  take(): RunEvent[] {
    const out = this.#queue;
    this.#queue = [];
    return out;
  }

  /** Resolves at once when events are waiting, else at the next push or wake. */
  ready(): Promise<void> {
    if (this.#queue.length) return Promise.resolve();
    if (!this.#waiter) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#waiter = { promise, resolve };
    }
    return this.#waiter.promise;
  }

  /** Releases a reader waiting in `ready()`. */
  wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.resolve();
  }

  /** Feeds a producer's events into the channel as they come; resolves with its result. */
  async pump<R>(gen: AsyncGenerator<RunEvent, R>): Promise<R> {
    for (;;) {
      const step = await gen.next();
      if (step.done) return step.value;
      this.push(step.value);
    }
  }
}

/**
 * Yields the channel's events until `promise` settles, then the rest of them, then returns its
 * value (or throws its error).
 */
export async function* whileSettling<R>(
  promise: Promise<R>,
  channel: EventChannel,
): AsyncGenerator<RunEvent, R> {
  let outcome: { ok: true; value: R } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => ((outcome = { ok: true, value }), channel.wake()),
    (error: unknown) => ((outcome = { ok: false, error }), channel.wake()),
  );
  for (;;) {
    yield* channel.take();
    if (outcome) {
      yield* channel.take();
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
    await channel.ready();
  }
}

/** Runs `main` with concurrent producers on `channel`: yields both in the order they were produced. */
export function withChannel<R>(
  main: AsyncGenerator<RunEvent, R>,
  channel: EventChannel,
): AsyncGenerator<RunEvent, R> {
  return whileSettling(channel.pump(main), channel);
}

/**
 * Yields `gen`'s events numbered in the order they leave this stream. Runs that interleave
 * concurrent producers use it, so that `event_index` is 0, 1, 2, ... whatever made each event.
 */
export async function* inStreamOrder<R>(
  gen: AsyncGenerator<RunEvent, R>,
  factory: EventFactory,
  transform: (ev: RunEvent) => RunEvent = (ev) => ev,
): AsyncGenerator<RunEvent, R> {
  let finished = false;
  try {
    for (;;) {
      const step = await gen.next();
      if (step.done) {
        finished = true;
        return step.value;
      }
      yield factory.forward(transform(step.value));
    }
  } finally {
    if (!finished) await gen.return(undefined as never).catch(() => {});
  }
}
