/** Which replica runs which run, so that the runs of a replica that died can be ended by the others. */
export interface ReplicaStore {
  /** Records that `replicaId` is alive now (each replica beats every few seconds). */
  heartbeat(replicaId: string, nowMs: number): Promise<void>;
  /**
   * Ends with ERROR (and `reason`) the unfinished runs of replicas whose last beat is older than
   * `graceMs`, then forgets those replicas. Returns the ids of the runs it ended.
   */
  sweep(graceMs: number, nowMs: number, reason: string): Promise<string[]>;
  /** Records `runId` as run by `replicaId` (a paused run continued by another replica). */
  claim(runId: string, replicaId: string): Promise<void>;
  /** The runs recorded as run by `replicaId` that are stored unfinished. */
  unfinished(replicaId: string): Promise<string[]>;
  /** Ends these runs with ERROR (and `reason`) unless they finished meanwhile; returns those it ended. */
  fail(runIds: string[], reason: string, nowMs: number): Promise<string[]>;
  /** Forgets a replica that shut down cleanly (its runs ended). */
  leave(replicaId: string): Promise<void>;
}
