import type { Kysely } from "kysely";
import type { ReplicaStore } from "../replica-store.js";
import { failUnfinishedRuns } from "./run-rollups.js";
import type { RunRollups } from "./run-rollups.js";
import type { Database } from "./schema.js";
import type { WriteBatcher } from "./write-batcher.js";

export class SqlReplicaStore implements ReplicaStore {
  constructor(
    private readonly db: () => Kysely<Database>,
    private readonly writes: WriteBatcher,
    private readonly rollups: RunRollups,
  ) {}

  async heartbeat(replicaId: string, nowMs: number): Promise<void> {
    await this.writes.run((trx) =>
      trx
        .insertInto("replicas")
        .values({ replica_id: replicaId, heartbeat_at: nowMs, started_at: nowMs })
        .onConflict((oc) => oc.column("replica_id").doUpdateSet({ heartbeat_at: nowMs }))
        .execute(),
    );
  }

  async sweep(graceMs: number, nowMs: number, reason: string): Promise<string[]> {
    return this.writes.run(async (trx) => {
      const dead = (
        await trx
          .selectFrom("replicas")
          .select("replica_id")
          .where("heartbeat_at", "<", nowMs - graceMs)
          .execute()
      ).map((r) => r.replica_id);
      if (!dead.length) return [];
      const ended = await failUnfinishedRuns(trx, this.rollups, { replicaIds: dead }, reason, nowMs);
      await trx.deleteFrom("replicas").where("replica_id", "in", dead).execute();
      return ended;
    });
  }

  async claim(runId: string, replicaId: string): Promise<void> {
    await this.writes.run((trx) =>
      trx.updateTable("runs").set({ replica_id: replicaId }).where("run_id", "=", runId).execute(),
    );
  }

  async unfinished(replicaId: string): Promise<string[]> {
    const rows = await this.db()
      .selectFrom("runs")
      .select("run_id")
      .where("replica_id", "=", replicaId)
      .where("status", "in", ["RUNNING", "PENDING"])
      .execute();
    return rows.map((r) => r.run_id);
  }

  async fail(runIds: string[], reason: string, nowMs: number): Promise<string[]> {
    if (!runIds.length) return [];
    return this.writes.run((trx) => failUnfinishedRuns(trx, this.rollups, { runIds }, reason, nowMs));
  }

  async leave(replicaId: string): Promise<void> {
    await this.writes.run((trx) => trx.deleteFrom("replicas").where("replica_id", "=", replicaId).execute());
  }
}
