import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { DialectParts } from "./dialect.js";
import { createRollups } from "./run-rollups.js";
import { createTraceTables } from "./trace-tables.js";
import type { Database } from "./schema.js";

export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<any>, dialect: DialectParts): Promise<void>;
}

/** Versioned, append-only: a released migration is never edited, only followed by a new one. */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "sessions, runs and run events",
    async up(db, d) {
      await db.schema
        .createTable("sessions")
        .addColumn("session_id", "text", (c) => c.primaryKey())
        .addColumn("session_type", "text", (c) => c.notNull())
        .addColumn("component_id", "text", (c) => c.notNull())
        .addColumn("agent_id", "text")
        .addColumn("team_id", "text")
        .addColumn("workflow_id", "text")
        .addColumn("user_id", "text")
        .addColumn("session_name", "text")
        .addColumn("session_state", d.jsonType)
        .addColumn("metadata", d.jsonType)
        .addColumn("summary", d.jsonType)
        .addColumn("message_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("run_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("sessions_created_idx")
        .on("sessions")
        .columns(["created_at", "session_id"])
        .execute();
      await db.schema
        .createIndex("sessions_user_idx")
        .on("sessions")
        .columns(["user_id", "created_at"])
        .execute();
      await db.schema
        .createIndex("sessions_component_idx")
        .on("sessions")
        .columns(["component_id", "created_at"])
        .execute();

      await db.schema
        .createTable("runs")
        .addColumn("run_id", "text", (c) => c.primaryKey())
        .addColumn("session_id", "text", (c) =>
          c.notNull().references("sessions.session_id").onDelete("cascade"),
        )
        .addColumn("parent_run_id", "text")
        .addColumn("component_kind", "text", (c) => c.notNull())
        .addColumn("component_id", "text", (c) => c.notNull())
        .addColumn("user_id", "text")
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("data", d.jsonType, (c) => c.notNull())
        .addColumn("error", "text")
        .addColumn("model", "text")
        .addColumn("input_tokens", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("output_tokens", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("total_tokens", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("duration_ms", "integer")
        .addColumn("ttft_ms", "integer")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("runs_session_idx")
        .on("runs")
        .columns(["session_id", "created_at"])
        .execute();
      await db.schema
        .createIndex("runs_component_idx")
        .on("runs")
        .columns(["component_id", "created_at"])
        .execute();
      // Partial indexes: only unfinished runs (startup recovery) and nested runs are looked up this way.
      await db.schema
        .createIndex("runs_unfinished_idx")
        .on("runs")
        .column("status")
        .where(sql.ref("status"), "in", [sql.lit("RUNNING"), sql.lit("PENDING")])
        .execute();
      await db.schema
        .createIndex("runs_parent_idx")
        .on("runs")
        .column("parent_run_id")
        .where("parent_run_id", "is not", null)
        .execute();

      // Events are stored in runs of consecutive events (one row per flush), not one row per token.
      await db.schema
        .createTable("run_events")
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("first_index", "integer", (c) => c.notNull())
        .addColumn("last_index", "integer", (c) => c.notNull())
        .addColumn("data", d.jsonType, (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("run_events_pk", ["run_id", "first_index"])
        .execute();
      await db.schema
        .createIndex("run_events_created_idx")
        .on("run_events")
        .columns(["created_at"])
        .execute();
    },
  },
  {
    version: 2,
    name: "idempotency keys of run requests",
    async up(db) {
      await db.schema
        .createTable("idempotency_keys")
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("request_hash", "text", (c) => c.notNull())
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("session_id", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("idempotency_keys_pk", ["scope", "key"])
        .execute();
      await db.schema
        .createIndex("idempotency_keys_expires_idx")
        .on("idempotency_keys")
        .column("expires_at")
        .execute();
    },
  },
  {
    version: 10,
    name: "knowledge contents, chunks and full-text index",
    async up(db, d) {
      await db.schema
        .createTable("knowledge_contents")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("knowledge_id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("type", "text")
        .addColumn("size", "bigint")
        .addColumn("source", "text")
        .addColumn("content_hash", "text")
        .addColumn("metadata", d.jsonType)
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("status_message", "text")
        .addColumn("chunk_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("vector_dims", "integer")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("knowledge_contents_kb_idx")
        .on("knowledge_contents")
        .columns(["knowledge_id", "created_at"])
        .execute();
      await db.schema
        .createIndex("knowledge_contents_status_idx")
        .on("knowledge_contents")
        .column("status")
        .execute();
      await db.schema
        .createTable("knowledge_chunks")
        .addColumn("id", d.autoIdType, (c) => c.primaryKey())
        .addColumn("content_id", "text", (c) => c.notNull())
        .addColumn("knowledge_id", "text", (c) => c.notNull())
        .addColumn("chunk_index", "integer", (c) => c.notNull())
        .addColumn("content", "text", (c) => c.notNull())
        .addColumn("token_count", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("knowledge_chunks_content_idx")
        .on("knowledge_chunks")
        .columns(["content_id", "chunk_index"])
        .execute();
      await db.schema
        .createIndex("knowledge_chunks_kb_idx")
        .on("knowledge_chunks")
        .column("knowledge_id")
        .execute();
      await db.schema
        .createTable("knowledge_metadata")
        .addColumn("content_id", "text", (c) => c.notNull())
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("knowledge_metadata_kv_idx")
        .on("knowledge_metadata")
        .columns(["key", "value", "content_id"])
        .execute();
      await db.schema
        .createIndex("knowledge_metadata_content_idx")
        .on("knowledge_metadata")
        .column("content_id")
        .execute();
      await d.search.createFullText(db);
    },
  },
  {
    version: 11,
    name: "user memories",
    async up(db, d) {
      await db.schema
        .createTable("user_memories")
        .addColumn("memory_id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("memory", "text", (c) => c.notNull())
        .addColumn("topics", d.jsonType, (c) => c.notNull())
        .addColumn("agent_id", "text")
        .addColumn("team_id", "text")
        .addColumn("input", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("user_memories_user_idx")
        .on("user_memories")
        .columns(["user_id", "updated_at"])
        .execute();
      await db.schema
        .createTable("user_memory_topics")
        .addColumn("memory_id", "text", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("topic", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("user_memory_topics_pk", ["memory_id", "topic"])
        .execute();
      await db.schema
        .createIndex("user_memory_topics_user_idx")
        .on("user_memory_topics")
        .columns(["user_id", "topic"])
        .execute();
    },
  },
  {
    version: 20,
    name: "traces, spans and run metrics indexes",
    async up(db, d) {
      await createTraceTables(db, d.jsonType);
      // /metrics: percentiles walk these in order per component instead of sorting the runs.
      await db.schema
        .createIndex("runs_latency_idx")
        .on("runs")
        .columns(["component_kind", "component_id", "duration_ms", "created_at", "status"])
        .execute();
      await db.schema
        .createIndex("runs_ttft_idx")
        .on("runs")
        .columns(["component_kind", "component_id", "ttft_ms", "created_at"])
        .execute();
      await db.schema.createIndex("runs_created_idx").on("runs").column("created_at").execute();
    },
  },
  {
    version: 21,
    name: "daily run roll-ups for /metrics",
    async up(db) {
      await createRollups(db);
    },
  },
  {
    version: 30,
    name: "run ownership by replica",
    async up(db) {
      await db.schema.alterTable("runs").addColumn("replica_id", "text").execute();
      await db.schema.createIndex("runs_replica_idx").on("runs").column("replica_id").execute();
      await db.schema
        .createTable("replicas")
        .addColumn("replica_id", "text", (c) => c.primaryKey())
        .addColumn("heartbeat_at", "bigint", (c) => c.notNull())
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .execute();
    },
  },
];

/** Applies the migrations not yet applied, each in its own transaction. */
export async function runMigrations(
  db: Kysely<Database>,
  dialect: DialectParts,
  migrations = MIGRATIONS,
): Promise<number[]> {
  return dialect.withMigrationLock(db, async (db) => {
    await db.schema
      .createTable("schema_migrations")
      .ifNotExists()
      .addColumn("version", "integer", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("applied_at", "bigint", (c) => c.notNull())
      .execute();
    const done = new Set(
      (await db.selectFrom("schema_migrations").select("version").execute()).map((r) => Number(r.version)),
    );
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await db.transaction().execute(async (trx) => {
        await m.up(trx, dialect);
        await trx
          .insertInto("schema_migrations")
          .values({ version: m.version, name: m.name, applied_at: Date.now() })
          .execute();
      });
      applied.push(m.version);
    }
    return applied;
  });
}

/** The highest applied version, or 0 for an empty database. */
export async function schemaVersion(db: Kysely<Database>): Promise<number> {
  const row = await sql<{ v: number | null }>`select max(version) as v from schema_migrations`
    .execute(db)
    .catch(() => undefined);
  return Number(row?.rows[0]?.v ?? 0);
}
