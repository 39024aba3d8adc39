import type { Logger } from "pino";
import type { RunEvent } from "../run/index.js";
import type { RunEventStore } from "../storage/index.js";

/**
 * Writes run events to the store in batches, off the streaming path: a run's events are
 * flushed when it ends and at least every `intervalMs` while it runs.
 */
export class EventLog {
  #pending = new Map<string, RunEvent[]>();
  #count = 0;
  #writing = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  /**
   * @param onWritten told, per run, the last index of each batch once its write is over (stored,
   * or failed and logged): those events need not stay in memory for late readers any more.
   */
  constructor(
    private readonly store: RunEventStore,
    private readonly logger?: Logger,
    private readonly onWritten?: (runId: string, lastIndex: number) => void,
    private readonly intervalMs = 100,
    private readonly maxBatch = 500,
  ) {}

  /** Events added and not yet written (pending, or being written). */
  get backlog(): number {
    return this.#count + this.#writing;
  }

  /** Adds an event of the stream of `runId`. */
  add(runId: string, ev: RunEvent): void {
    let list = this.#pending.get(runId);
    if (!list) this.#pending.set(runId, (list = []));
    list.push(ev);
    if (++this.#count >= this.maxBatch) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Writes what is pending; resolves once it (and any earlier flush) is stored. */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#pending;
    const size = this.#count;
    this.#pending = new Map();
    this.#count = 0;
    this.#writing += size;
    this.#flushing = this.#flushing.then(async () => {
      await Promise.all(
        [...batch].map(async ([runId, events]) => {
          try {
            await this.store.append(runId, events);
          } catch (err) {
            this.logger?.error({ err, run_id: runId, events: events.length }, "could not store run events");
          }
          this.onWritten?.(runId, events[events.length - 1].event_index);
        }),
      );
      this.#writing -= size;
    });
    return this.#flushing;
  }
}
