import type { Generated } from "kysely";
import type { SpanRecord, TraceRecord } from "../trace-store.js";

/** Kysely's view of the tables. JSON columns are text in SQLite and jsonb in PostgreSQL. */
export type Json = string | Record<string, unknown> | unknown[];

export interface SessionsTable {
  session_id: string;
  session_type: string;
  component_id: string;
  agent_id: string | null;
  team_id: string | null;
  workflow_id: string | null;
  user_id: string | null;
  session_name: string | null;
  session_state: Json | null;
  metadata: Json | null;
  summary: Json | null;
  message_count: number;
  run_count: number;
  created_at: number;
  updated_at: number;
}

export interface RunsTable {
  run_id: string;
  session_id: string;
  parent_run_id: string | null;
  component_kind: string;
  component_id: string;
  user_id: string | null;
  status: string;
  data: Json;
  error: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  duration_ms: number | null;
  ttft_ms: number | null;
  created_at: number;
  updated_at: number;
  /** The replica running it (several replicas); its runs are marked ERROR once it stops beating. */
  replica_id?: string | null;
}

/** Replicas alive: each beats every few seconds; one silent past the grace period is dead. */
export interface ReplicasTable {
  replica_id: string;
  heartbeat_at: number;
  started_at: number;
}

/** Consecutive events of one run, first_index..last_index, as a JSON array. */
export interface RunEventsTable {
  run_id: string;
  first_index: number;
  last_index: number;
  data: Json;
  created_at: number;
}

/** One Idempotency-Key of a run request: the run it created, kept until expires_at. */
export interface IdempotencyKeysTable {
  /** Who and what the key belongs to: "<kind>:<component id>:<user id>". */
  scope: string;
  key: string;
  /** SHA-256 of the request, to tell a retry from another request under the same key. */
  request_hash: string;
  run_id: string;
  session_id: string;
  created_at: number;
  expires_at: number;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}

export interface KnowledgeContentsTable {
  id: string;
  knowledge_id: string;
  name: string;
  description: string | null;
  type: string | null;
  size: number | null;
  source: string | null;
  content_hash: string | null;
  metadata: Json | null;
  status: string;
  status_message: string | null;
  chunk_count: number;
  vector_dims: number | null;
  created_at: number;
  updated_at: number;
}

/** Chunks have integer ids: the full-text and vector indexes key their rows by them. */
export interface KnowledgeChunksTable {
  id: Generated<number>;
  content_id: string;
  knowledge_id: string;
  chunk_index: number;
  content: string;
  token_count: number;
  created_at: number;
}

/** Top-level metadata values of a content, one row per scalar (array elements each), for equality filters. */
export interface KnowledgeMetadataTable {
  content_id: string;
  key: string;
  /** The value as JSON text, so equality is typed ("5" and 5 differ) and portable. */
  value: string;
}

export interface UserMemoriesTable {
  memory_id: string;
  user_id: string;
  memory: string;
  topics: Json;
  agent_id: string | null;
  team_id: string | null;
  input: string | null;
  created_at: number;
  updated_at: number;
}

export interface UserMemoryTopicsTable {
  memory_id: string;
  user_id: string;
  topic: string;
}

/** A trace's root-run facts, as the store hands them over; times are epoch microseconds. */
export type TracesTable = TraceRecord;

/** A finished span; its attributes are a JSON column. */
export type SpansTable = Omit<SpanRecord, "attributes"> & { attributes: Json };

/** Daily counts of runs per component (top-level or nested), kept in step with the runs table. */
export interface RunRollupsTable {
  /** Days since the epoch (UTC) of the runs' created_at. */
  day: number;
  component_kind: string;
  component_id: string;
  /** 1 for top-level runs, 0 for team members' and workflow steps' runs. */
  top_level: number;
  runs: number;
  completed: number;
  errors: number;
  cancelled: number;
  input_tokens: number;
  output_tokens: number;
  /** Ended runs with a duration: how many rows a latency percentile ranks. */
  latency_count: number;
  /** Runs with a time to first token. */
  ttft_count: number;
}

export interface RunRollupUsersTable {
  day: number;
  component_kind: string;
  component_id: string;
  top_level: number;
  user_id: string;
}

export interface Database {
  sessions: SessionsTable;
  runs: RunsTable;
  run_events: RunEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  schema_migrations: SchemaMigrationsTable;
  knowledge_contents: KnowledgeContentsTable;
  knowledge_chunks: KnowledgeChunksTable;
  knowledge_metadata: KnowledgeMetadataTable;
  user_memories: UserMemoriesTable;
  user_memory_topics: UserMemoryTopicsTable;
  traces: TracesTable;
  spans: SpansTable;
  run_rollups: RunRollupsTable;
  run_rollup_users: RunRollupUsersTable;
  replicas: ReplicasTable;
}
