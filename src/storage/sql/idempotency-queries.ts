import { sql } from "kysely";
import type { Kysely, Selectable } from "kysely";
import type { IdempotencyRecord, IdempotencyStore } from "../store.js";
import type { Database, IdempotencyKeysTable } from "./schema.js";
import type { WriteBatcher } from "./write-batcher.js";

export class SqlIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly db: () => Kysely<Database>,
    private readonly writes: WriteBatcher,
  ) {}

  async claim(record: IdempotencyRecord): Promise<{ claimed: boolean; record: IdempotencyRecord }> {
    const held = await this.writes.run(async (trx) => {
      // An expired record no longer holds its key; the insert then wins unless a live one exists.
      await trx
        .deleteFrom("idempotency_keys")
        .where("scope", "=", record.scope)
        .where("key", "=", record.key)
        .where("expires_at", "<=", record.created_at)
        .execute();
      await trx
        .insertInto("idempotency_keys")
        .values(record)
        .onConflict((oc) => oc.columns(["scope", "key"]).doNothing())
        .execute();
      return trx
        .selectFrom("idempotency_keys")
        .selectAll()
        .where("scope", "=", record.scope)
        .where("key", "=", record.key)
        .executeTakeFirstOrThrow();
    });
    const stored = toRecord(held);
    return { claimed: stored.run_id === record.run_id, record: stored };
  }

  async release(scope: string, key: string, runId: string): Promise<void> {
    await this.writes.run((trx) =>
      trx
        .deleteFrom("idempotency_keys")
        .where("scope", "=", scope)
        .where("key", "=", key)
        .where("run_id", "=", runId)
        .execute(),
    );
  }

  async prune(nowMs: number, batchSize = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const res = await sql`delete from idempotency_keys where (scope, key) in (
        select scope, key from idempotency_keys where expires_at <= ${nowMs} limit ${batchSize})`.execute(
        this.db(),
      );
      const n = Number(res.numAffectedRows ?? 0);
      total += n;
      if (n < batchSize) return total;
      await new Promise((r) => setImmediate(r));
    }
  }
}

function toRecord(row: Selectable<IdempotencyKeysTable>): IdempotencyRecord {
  return {
    scope: row.scope,
    key: row.key,
    request_hash: row.request_hash,
    run_id: row.run_id,
    session_id: row.session_id,
    created_at: Number(row.created_at),
    expires_at: Number(row.expires_at),
  };
}
