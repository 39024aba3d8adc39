export type {
  Store,
  SessionStore,
  RunStore,
  RunEventStore,
  IdempotencyStore,
  IdempotencyRecord,
  SessionRecord,
  SessionSummary,
  SessionQuery,
  SessionPage,
  SessionPatch,
  SessionSeed,
  RunListQuery,
  RunSummary,
} from "./store.js";
export { SqlStore } from "./sql/sql-store.js";
export type { DialectParts } from "./sql/dialect.js";
export { toJson, fromJson } from "./sql/dialect.js";
export { MIGRATIONS, runMigrations, schemaVersion } from "./sql/migrations.js";
export type { Migration } from "./sql/migrations.js";
export type { Database } from "./sql/schema.js";
export { SqliteDb } from "./sqlite/sqlite-db.js";
export type { SqliteDbOptions } from "./sqlite/sqlite-db.js";
