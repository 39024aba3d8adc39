import type { Logger } from "pino";
import type { Store } from "../storage/index.js";

export interface ReplicaSweeperOptions {
  store: Store;
  replicaId: string;
  /** A replica silent for this long is dead and its unfinished runs end with ERROR. */
  graceMs: number;
  /** Whether a run is live in this replica (its stored row may lag behind until it ends). */
  isLive: (runId: string) => boolean;
  logger?: Logger;
}

/**
 * With several replicas, a restart must not end the runs of the others: instead each replica beats
 * in the database, and every replica sweeps the runs of replicas that stopped beating. Beats every
 * third of the grace period, on a timer that never keeps the process alive.
 */
export class ReplicaSweeper {
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ReplicaSweeperOptions) {}

  get intervalMs(): number {
    return Math.max(100, Math.floor(this.options.graceMs / 3));
  }

  /** Beats once (so the first sweep of the others sees this replica), then on a timer. */
  async start(): Promise<void> {
    if (this.#timer) return;
    await this.tick();
    const loop = () => {
      this.#ticking = this.tick().catch((err: unknown) =>
        this.options.logger?.warn({ err }, "replica heartbeat or sweep failed"),
      );
      this.#timer = setTimeout(loop, this.intervalMs);
      this.#timer.unref();
    };
    this.#timer = setTimeout(loop, this.intervalMs);
    this.#timer.unref();
  }

  /** One beat and one sweep; resolves with the runs it ended. */
  async tick(now = Date.now()): Promise<string[]> {
    const { store, replicaId, graceMs, logger } = this.options;
    await store.replicas.heartbeat(replicaId, now);
    const ended = await store.replicas.sweep(graceMs, now, "interrupted: the replica running it stopped");
    if (ended.length)
      logger?.warn({ runs: ended.length }, "runs of a replica that stopped were marked ERROR");
    // Runs of this replica that ended while the database was away: their end was never stored.
    const lost = (await store.replicas.unfinished(replicaId)).filter((id) => !this.options.isLive(id));
    const closed = await store.replicas.fail(lost, "the end of the run could not be stored", now);
    if (closed.length)
      logger?.warn({ runs: closed.length }, "runs whose end was not stored were marked ERROR");
    return [...ended, ...closed];
  }

  /** Stops beating and, when the replica's runs are all stored as ended, forgets it. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#ticking;
    // Runs left unfinished (the database was away at the end) keep the replica listed, so that the
    // others end them after the grace period; otherwise it leaves now.
    const { store, replicaId } = this.options;
    const left = await store.replicas.unfinished(replicaId).catch(() => [""]);
    if (!left.length) await store.replicas.leave(replicaId).catch(() => {});
  }
}
