/** The SQL implementation of the Store; importing it loads Kysely. */
export { SqlStore } from "./sql-store.js";
export type { DialectParts } from "./dialect.js";
export { toJson, fromJson } from "./dialect.js";
export { MIGRATIONS, runMigrations, schemaVersion } from "./migrations.js";
export type { Migration } from "./migrations.js";
export type { Database } from "./schema.js";
export { WriteBatcher } from "./write-batcher.js";
export { fillRollups } from "./run-rollups.js";
