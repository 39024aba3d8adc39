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
  SessionOffsetQuery,
  SessionOffsetPage,
  SessionSortColumn,
  SessionPatch,
  SessionSeed,
  RunListQuery,
  RunSummary,
} from "./store.js";
export type {
  KnowledgeStore,
  ContentRecord,
  ContentStatus,
  ChunkInput,
  ChunkHit,
  ChunkSearchQuery,
  ContentPage,
  MetadataFilters,
  MetadataScalar,
} from "./knowledge-store.js";
export type {
  MemoryStore,
  MemoryRecord,
  MemoryQuery,
  MemoryPage,
  UserMemoryStats,
  MemoryPatch,
  SummaryRecord,
} from "./memory-store.js";
export type {
  TraceStore,
  TraceRecord,
  SpanRecord,
  SpanRow,
  TraceQuery,
  TracePage,
  TraceFileSettings,
} from "./trace-store.js";
export type {
  MetricsStore,
  MetricsQuery,
  MetricsReport,
  ComponentMetrics,
  DailyMetrics,
  Percentiles,
} from "./metrics-store.js";
export type { ReplicaStore } from "./replica-store.js";
// The SQL implementation is loaded lazily (Kysely is slow to import): import it from "./sql/index.js" where needed.
export type { SqlStore } from "./sql/sql-store.js";
export type { DialectParts } from "./sql/dialect.js";
export type { Migration } from "./sql/migrations.js";
export type { Database } from "./sql/schema.js";
export { LazyStore, forward } from "./lazy-store.js";
export { SqliteDb } from "./sqlite/sqlite-db.js";
export type { SqliteDbOptions } from "./sqlite/sqlite-db.js";
export { PostgresDb } from "./postgres/postgres-db.js";
export type { PostgresDbOptions } from "./postgres/postgres-db.js";
