import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** What differs between SQL backends; everything else is written once over Kysely. */
export interface DialectParts {
  readonly name: "sqlite" | "postgres";
  /** Column type for JSON documents. */
  readonly jsonType: "text" | "jsonb";
  /** Opens the connection (pool) lazily: constructing a store does no I/O. */
  connect(): Kysely<Database>;
  /**
   * Runs `fn` while holding a cross-process lock (migrations), on the connection that holds it;
   * SQLite's own locking suffices there.
   */
  withMigrationLock<T>(db: Kysely<Database>, fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
}

export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** Reads a JSON column: SQLite gives text, PostgreSQL's driver gives the parsed value. */
export function fromJson<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}
