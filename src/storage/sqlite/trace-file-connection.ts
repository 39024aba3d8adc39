import { Kysely, SqliteDialect } from "kysely";
import type { Database } from "../sql/schema.js";
import { SqlTraceStore } from "../sql/trace-queries.js";
import { WriteBatcher } from "../sql/write-batcher.js";
import type { TraceFileSettings } from "../trace-store.js";
import { openSqlite } from "./open-sqlite.js";

export interface TraceFileConnection {
  db: Kysely<Database>;
  store: SqlTraceStore;
}

/**
 * A connection of the calling thread to a SQLite trace file (see TraceFile), opened on first use:
 * the serving thread's reads and the tracing thread's writes each go through their own.
 */
export function traceFileConnection(settings: TraceFileSettings): TraceFileConnection {
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: async () => openSqlite(settings) }),
  });
  return { db, store: new SqlTraceStore(() => db, new WriteBatcher(() => db)) };
}
