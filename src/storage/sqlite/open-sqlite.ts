import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { SqliteDatabase } from "kysely";

export interface SqliteOpenOptions {
  file: string;
  busyTimeoutMs: number;
}

/**
 * Opens the file with the settings a server needs (WAL, busy timeout, foreign keys)
 * and caches prepared statements, which Kysely would otherwise prepare on every query.
 */
export function openSqlite(options: SqliteOpenOptions): SqliteDatabase & { raw: Database.Database } {
  if (options.file !== ":memory:") mkdirSync(dirname(options.file), { recursive: true });
  const db = new Database(options.file);
  db.pragma("journal_mode = WAL");
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
  db.pragma("foreign_keys = ON");
  db.pragma("synchronous = NORMAL");
  db.pragma("cache_size = -65536");
  db.pragma("temp_store = MEMORY");
  const cache = new Map<string, Database.Statement>();
  return {
    raw: db,
    close: () => db.close(),
    prepare(sqlText: string) {
      let stmt = cache.get(sqlText);
      if (!stmt) {
        stmt = db.prepare(sqlText);
        if (cache.size >= 500) cache.delete(cache.keys().next().value!);
        cache.set(sqlText, stmt);
      }
      return stmt as never;
    },
  };
}
