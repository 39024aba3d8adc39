import { sql } from "kysely";
import type { Kysely, Transaction } from "kysely";
import { params, Prepared } from "./prepared.js";
import type { Database, RunRollupsTable, RunsTable } from "./schema.js";

export const DAY_MS = 86_400_000;
const ENDED = new Set(["COMPLETED", "ERROR", "CANCELLED"]);

/** The columns of a run row that the daily roll-ups count. */
export type RunFacts = Pick<
  RunsTable,
  | "created_at"
  | "component_kind"
  | "component_id"
  | "parent_run_id"
  | "user_id"
  | "status"
  | "input_tokens"
  | "output_tokens"
  | "duration_ms"
  | "ttft_ms"
>;

export const FACT_COLUMNS = [
  "created_at",
  "component_kind",
  "component_id",
  "parent_run_id",
  "user_id",
  "status",
  "input_tokens",
  "output_tokens",
  "duration_ms",
  "ttft_ms",
] as const;

function counts(f: RunFacts | undefined) {
  if (!f)
    return {
      runs: 0,
      completed: 0,
      errors: 0,
      cancelled: 0,
      input_tokens: 0,
      output_tokens: 0,
      latency_count: 0,
      ttft_count: 0,
    };
  return {
    runs: 1,
    completed: f.status === "COMPLETED" ? 1 : 0,
    errors: f.status === "ERROR" ? 1 : 0,
    cancelled: f.status === "CANCELLED" ? 1 : 0,
    input_tokens: Number(f.input_tokens),
    output_tokens: Number(f.output_tokens),
    latency_count: ENDED.has(f.status) && f.duration_ms !== null ? 1 : 0,
    ttft_count: f.ttft_ms !== null ? 1 : 0,
  };
}

const KEY_COLUMNS = ["day", "component_kind", "component_id", "top_level"] as const;
const COUNTERS = [
  "runs",
  "completed",
  "errors",
  "cancelled",
  "input_tokens",
  "output_tokens",
  "latency_count",
  "ttft_count",
] as const;
type Key = Pick<RunRollupsTable, (typeof KEY_COLUMNS)[number]>;
type Delta = ReturnType<typeof counts>;

/**
 * Keeps the daily roll-ups (run_rollups, run_rollup_users) in step with run rows' changes, in the
 * transaction that changes a row: /metrics reads these, not the runs.
 */
export class RunRollups {
  readonly #add = new Prepared<Key & Delta>((db, p) =>
    db
      .insertInto("run_rollups")
      .values(params(p, [...KEY_COLUMNS, ...COUNTERS]))
      .onConflict((oc) =>
        oc
          .columns([...KEY_COLUMNS])
          .doUpdateSet((eb) =>
            Object.fromEntries(COUNTERS.map((c) => [c, eb(`run_rollups.${c}`, "+", p(c))])),
          ),
      ),
  );
  readonly #user = new Prepared<Key & { user_id: string }>((db, p) =>
    db
      .insertInto("run_rollup_users")
      .values(params(p, [...KEY_COLUMNS, "user_id"]))
      .onConflict((oc) => oc.doNothing()),
  );

  /** Rolls up one run row's change from `before` (undefined: a new row) to `after`. */
  async change(trx: Transaction<Database>, before: RunFacts | undefined, after: RunFacts): Promise<void> {
    const a = counts(after);
    const b = counts(before);
    const delta = { ...a };
    let changed = false;
    for (const c of COUNTERS) if ((delta[c] -= b[c]) !== 0) changed = true;
    const key = {
      day: Math.floor(Number(after.created_at) / DAY_MS),
      component_kind: after.component_kind,
      component_id: after.component_id,
      top_level: after.parent_run_id === null ? 1 : 0,
    };
    if (changed) await this.#add.execute(trx, { ...key, ...delta });
    if (after.user_id !== null && (!before || before.user_id !== after.user_id))
      await this.#user.execute(trx, { ...key, user_id: after.user_id });
  }
}

/** Creates the roll-up tables and fills them from the runs already stored (migration 21). */
export async function createRollups(db: Kysely<any>): Promise<void> {
  let table = db.schema
    .createTable("run_rollups")
    .addColumn("day", "integer", (c) => c.notNull())
    .addColumn("component_kind", "text", (c) => c.notNull())
    .addColumn("component_id", "text", (c) => c.notNull())
    .addColumn("top_level", "integer", (c) => c.notNull());
  for (const c of COUNTERS) table = table.addColumn(c, "bigint", (col) => col.notNull().defaultTo(0));
  await table
    .addPrimaryKeyConstraint("run_rollups_pk", ["day", "component_kind", "component_id", "top_level"])
    .execute();
  await db.schema
    .createTable("run_rollup_users")
    .addColumn("day", "integer", (c) => c.notNull())
    .addColumn("component_kind", "text", (c) => c.notNull())
    .addColumn("component_id", "text", (c) => c.notNull())
    .addColumn("top_level", "integer", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("run_rollup_users_pk", [
      "day",
      "component_kind",
      "component_id",
      "top_level",
      "user_id",
    ])
    .execute();
  await fillRollups(db);
}

/** Adds the runs stored so far into empty roll-up tables (a migration's backfill; bulk loads). */
export async function fillRollups(db: Kysely<any>): Promise<void> {
  const day = sql`created_at / ${sql.lit(DAY_MS)}`;
  const top = sql`case when parent_run_id is null then 1 else 0 end`;
  await sql`insert into run_rollups (day, component_kind, component_id, top_level, runs, completed, errors, cancelled,
      input_tokens, output_tokens, latency_count, ttft_count)
    select ${day}, component_kind, component_id, ${top}, count(*),
      sum(case when status = 'COMPLETED' then 1 else 0 end),
      sum(case when status = 'ERROR' then 1 else 0 end),
      sum(case when status = 'CANCELLED' then 1 else 0 end),
      sum(input_tokens), sum(output_tokens),
      sum(case when status in ('COMPLETED', 'ERROR', 'CANCELLED') and duration_ms is not null then 1 else 0 end),
      sum(case when ttft_ms is not null then 1 else 0 end)
    from runs group by ${day}, component_kind, component_id, ${top}`.execute(db);
  await sql`insert into run_rollup_users (day, component_kind, component_id, top_level, user_id)
    select distinct ${day}, component_kind, component_id, ${top}, user_id from runs where user_id is not null`.execute(
    db,
  );
}

/**
 * Ends unfinished runs as ERROR (all of them, or those with these ids or of these replicas) in
 * the caller's transaction, with their roll-ups; a run that ended meanwhile is left as it is.
 */
export async function failUnfinishedRuns(
  trx: Transaction<Database>,
  rollups: RunRollups,
  only: { runIds?: string[]; replicaIds?: string[] },
  reason: string,
  nowMs: number,
): Promise<string[]> {
  let q = trx
    .selectFrom("runs")
    .select(["run_id", ...FACT_COLUMNS])
    .where("status", "in", ["RUNNING", "PENDING"]);
  if (only.runIds) q = q.where("run_id", "in", only.runIds);
  if (only.replicaIds) q = q.where("replica_id", "in", only.replicaIds);
  const rows = await q.execute();
  const facts = new Map(rows.map((r) => [r.run_id, r]));
  const failed: string[] = [];
  // In slices: a statement's parameters are limited (SQLite 32,766, PostgreSQL 65,535).
  for (let i = 0; i < rows.length; i += 500) {
    const ended = await trx
      .updateTable("runs")
      .set({ status: "ERROR", error: reason, updated_at: nowMs })
      .where(
        "run_id",
        "in",
        rows.slice(i, i + 500).map((r) => r.run_id),
      )
      .where("status", "in", ["RUNNING", "PENDING"])
      .returning("run_id")
      .execute();
    for (const { run_id } of ended) {
      const before = facts.get(run_id)!;
      await rollups.change(trx, before, { ...before, status: "ERROR" });
      failed.push(run_id);
    }
  }
  return failed;
}
