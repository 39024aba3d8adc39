/** Which replica runs which run, so that the runs of a replica that died can be ended by the others. */
export interface ReplicaStore {
  /** Records that `replicaId` is alive now (each replica beats every few seconds). */
  heartbeat(replicaId: string, nowMs: number): Promise<void>;
  /** Marks `runId` as run by `replicaId`. */
  own(runId: string, replicaId: string): Promise<void>;
  /**
   * Ends with ERROR (and `reason`) the unfinished runs of replicas whose last beat is older than
   * `graceMs`, then forgets those replicas. Returns the ids of the runs it ended.
   */
  sweep(graceMs: number, nowMs: number, reason: string): Promise<string[]>;
  /** Forgets a replica that shut down cleanly (its runs ended). */
  leave(replicaId: string): Promise<void>;
}
