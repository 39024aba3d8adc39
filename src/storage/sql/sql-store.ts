import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { KnowledgeStore } from "../knowledge-store.js";
import type { MemoryStore } from "../memory-store.js";
import type { MetricsStore } from "../metrics-store.js";
import type { ReplicaStore } from "../replica-store.js";
import type { IdempotencyStore, RunEventStore, RunStore, SessionStore, Store } from "../store.js";
import type { TraceStore } from "../trace-store.js";
import type { DialectParts } from "./dialect.js";
import { SqlRunEventStore } from "./event-queries.js";
import { SqlIdempotencyStore } from "./idempotency-queries.js";
import { SqlKnowledgeStore } from "./knowledge-queries.js";
import { SqlMemoryStore } from "./memory-queries.js";
import { SqlMetricsStore } from "./metrics-queries.js";
import { runMigrations } from "./migrations.js";
import { SqlReplicaStore } from "./replica-queries.js";
import { SqlRunStore } from "./run-queries.js";
import type { Database } from "./schema.js";
import { SqlSessionStore } from "./session-queries.js";
import { SqlTraceStore } from "./trace-queries.js";
import { RunRollups } from "./run-rollups.js";
import { WriteBatcher } from "./write-batcher.js";

/** The one SQL implementation of the Store; a DialectParts supplies what differs per backend. */
export class SqlStore implements Store {
  #db: Kysely<Database> | undefined;
  #migrated: Promise<number[]> | undefined;
  readonly sessions: SessionStore;
  readonly runs: RunStore;
  readonly events: RunEventStore;
  readonly idempotency: IdempotencyStore;
  readonly knowledge: KnowledgeStore;
  readonly memories: MemoryStore;
  readonly traces: TraceStore;
  readonly metrics: MetricsStore;
  readonly replicas: ReplicaStore;

  constructor(
    readonly id: string,
    protected readonly parts: DialectParts,
    /** Where traces are kept when not in this database's own tables (SQLite's trace file). */
    traces?: TraceStore,
  ) {
    const db = () => this.kysely;
    const writes = new WriteBatcher(db);
    const rollups = new RunRollups();
    this.sessions = new SqlSessionStore(db, writes);
    this.runs = new SqlRunStore(db, writes, rollups);
    this.events = new SqlRunEventStore(db, writes);
    this.idempotency = new SqlIdempotencyStore(db, writes);
    this.knowledge = new SqlKnowledgeStore(db, writes, parts);
    this.memories = new SqlMemoryStore(db, writes);
    this.traces = traces ?? new SqlTraceStore(db, writes);
    this.metrics = new SqlMetricsStore(db);
    this.replicas = new SqlReplicaStore(db, writes, rollups);
  }

  get dialect() {
    return this.parts.name;
  }

  /** The Kysely instance, connected on first use. */
  get kysely(): Kysely<Database> {
    this.#db ??= this.parts.connect();
    return this.#db;
  }

  migrate(): Promise<void> {
    this.#migrated ??= runMigrations(this.kysely, this.parts).catch((err) => {
      this.#migrated = undefined;
      throw err;
    });
    return this.#migrated.then(() => undefined);
  }

  async notes(): Promise<string[]> {
    return [];
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.kysely);
  }

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    this.#migrated = undefined;
    await db?.destroy();
  }
}
