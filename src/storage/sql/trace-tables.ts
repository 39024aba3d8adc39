import type { Kysely } from "kysely";

/** The spans table's columns, in the order batches are written (and flattened for the trace file's writer). */
export const SPAN_COLUMNS = [
  "trace_id",
  "span_id",
  "parent_span_id",
  "name",
  "kind",
  "start_time",
  "end_time",
  "status",
  "status_message",
  "attributes",
] as const;

/** The traces table's columns, in the order batches are written. */
export const TRACE_COLUMNS = [
  "trace_id",
  "name",
  "status",
  "start_time",
  "end_time",
  "run_id",
  "session_id",
  "component_kind",
  "agent_id",
  "team_id",
  "workflow_id",
  "user_id",
] as const;

/**
 * The traces and spans tables with their indexes: in the OS database (migration 20) or SQLite's
 * trace file (its version 1). Released as it is: a change here is a new migration of both.
 */
export async function createTraceTables(db: Kysely<any>, jsonType: "text" | "jsonb"): Promise<void> {
  await db.schema
    .createTable("traces")
    .addColumn("trace_id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("start_time", "bigint", (c) => c.notNull())
    .addColumn("end_time", "bigint", (c) => c.notNull())
    .addColumn("run_id", "text")
    .addColumn("session_id", "text")
    .addColumn("component_kind", "text")
    .addColumn("agent_id", "text")
    .addColumn("team_id", "text")
    .addColumn("workflow_id", "text")
    .addColumn("user_id", "text")
    .execute();
  for (const [name, cols] of [
    ["traces_start_idx", ["start_time", "trace_id"]],
    ["traces_run_idx", ["run_id"]],
    ["traces_session_idx", ["session_id", "start_time"]],
    ["traces_user_idx", ["user_id", "start_time"]],
  ] as const)
    await db.schema
      .createIndex(name)
      .on("traces")
      .columns([...cols])
      .execute();
  await db.schema
    .createTable("spans")
    .addColumn("trace_id", "text", (c) => c.notNull())
    .addColumn("span_id", "text", (c) => c.notNull())
    .addColumn("parent_span_id", "text")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("start_time", "bigint", (c) => c.notNull())
    .addColumn("end_time", "bigint", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("status_message", "text")
    .addColumn("attributes", jsonType, (c) => c.notNull())
    .addPrimaryKeyConstraint("spans_pk", ["trace_id", "span_id"])
    .execute();
  await db.schema.createIndex("spans_start_idx").on("spans").column("start_time").execute();
}
