import type { ComponentKind, RunEvent, RunOutput, RunStatus } from "../run/index.js";
import type { KnowledgeStore } from "./knowledge-store.js";
import type { ReplicaStore } from "./replica-store.js";
import type { MemoryStore } from "./memory-store.js";
import type { MetricsStore } from "./metrics-store.js";
import type { TraceFileSettings, TraceStore } from "./trace-store.js";

/** A session as stored. Times are epoch milliseconds. */
export interface SessionRecord {
  session_id: string;
  session_type: ComponentKind;
  component_id: string;
  agent_id: string | null;
  team_id: string | null;
  workflow_id: string | null;
  user_id: string | null;
  session_name: string | null;
  session_state: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
  summary: SessionSummary | null;
  message_count: number;
  run_count: number;
  created_at: number;
  updated_at: number;
}

export interface SessionSummary {
  summary: string;
  topics?: string[];
  updated_at: number;
}

export interface SessionQuery {
  userId?: string;
  agentId?: string;
  teamId?: string;
  workflowId?: string;
  /** Matches agent, team or workflow id. */
  componentId?: string;
  type?: ComponentKind;
  /** Substring of the session name. */
  nameContains?: string;
  limit: number;
  /** Opaque cursor from a previous page (newest first). */
  cursor?: string;
}

/** Sortable columns of a session page. */
export type SessionSortColumn = "created_at" | "updated_at" | "session_name";

/** A numbered page of sessions (Agno's paging): the filters of SessionQuery, an offset and a sort. */
export interface SessionOffsetQuery extends Omit<SessionQuery, "cursor"> {
  offset: number;
  sortBy?: SessionSortColumn;
  sortOrder?: "asc" | "desc";
}

export interface SessionOffsetPage {
  sessions: SessionRecord[];
  /** How many sessions match the filters, over all pages. */
  total: number;
}

export interface SessionPage {
  sessions: SessionRecord[];
  nextCursor: string | null;
}

export interface SessionPatch {
  session_name?: string | null;
  session_state?: Record<string, unknown> | null;
  metadata?: Record<string, unknown> | null;
  summary?: SessionSummary | null;
}

/** What a run needs of its session when it begins. */
export interface SessionSeed {
  session_id: string;
  session_type: ComponentKind;
  component_id: string;
  user_id: string | null;
  /** The replica that runs it (several replicas), recorded in the same write. */
  replica_id?: string | null;
}

export interface RunListQuery {
  sessionId?: string;
  componentId?: string;
  /** Only runs of this user. */
  userId?: string;
  status?: RunStatus;
  /** Only top-level runs (not team members or workflow steps). */
  topLevelOnly?: boolean;
  parentRunId?: string;
  limit?: number;
}

/** A run's short form, for lists that must not load run bodies. */
export interface RunSummary {
  run_id: string;
  session_id: string;
  parent_run_id: string | null;
  component_kind: ComponentKind;
  component_id: string;
  user_id: string | null;
  status: RunStatus;
  created_at: number;
  updated_at: number;
}

export interface SessionStore {
  get(sessionId: string): Promise<SessionRecord | undefined>;
  list(query: SessionQuery): Promise<SessionPage>;
  /** A numbered page with the total count of matches (both from the same filters). */
  page(query: SessionOffsetQuery): Promise<SessionOffsetPage>;
  /** Applies the patch; undefined when the session does not exist. */
  update(sessionId: string, patch: SessionPatch): Promise<SessionRecord | undefined>;
  /** Deletes the session with its runs and events; false when it did not exist. */
  delete(sessionId: string): Promise<boolean>;
}

export interface RunStore {
  /**
   * Creates the session when it is new and writes the run row, in one transaction.
   * Throws ConflictError when the session belongs to another component, NotFoundError when to another user.
   */
  begin(run: RunOutput, session: SessionSeed): Promise<SessionRecord>;
  /** Writes the run's state (status, content, messages, metrics) without touching its session. */
  save(run: RunOutput): Promise<void>;
  /**
   * Writes the run's final state and updates its session (state, counts, updated_at) in one transaction.
   * A nested run (parent_run_id set) only touches the session's updated_at: its parent accounts for it.
   */
  finish(
    run: RunOutput,
    session: { session_state?: Record<string, unknown> | null; messages_added: number },
  ): Promise<void>;
  get(runId: string): Promise<RunOutput | undefined>;
  list(query: RunListQuery): Promise<RunOutput[]>;
  summaries(query: RunListQuery): Promise<RunSummary[]>;
  /** The first top-level run stored (as `list` orders them) of each of these sessions that has one, by session id. */
  firstRuns(sessionIds: readonly string[]): Promise<Map<string, RunOutput>>;
  /** The last `limit` completed top-level runs of a session for one component, oldest first. */
  history(sessionId: string, componentId: string, limit: number): Promise<RunOutput[]>;
  /** At startup: runs a crash left RUNNING or PENDING become ERROR with the reason. Returns their ids. */
  failUnfinished(reason: string): Promise<string[]>;
  /**
   * Moves a run from status `from` to `to` in one conditional update; false when the run was not
   * in `from` (another request, maybe in another process, moved it first).
   */
  transition(runId: string, from: RunStatus, to: RunStatus): Promise<boolean>;
}

export interface RunEventStore {
  /** Stores events of the stream of `runId` (nested runs' events included, numbered in that stream). */
  append(runId: string, events: RunEvent[]): Promise<void>;
  /** Stored events of a run's stream with event_index > afterIndex, in order. */
  list(runId: string, afterIndex: number): Promise<RunEvent[]>;
  /** The highest stored event_index of a run's stream; -1 when none is stored. */
  lastIndex(runId: string): Promise<number>;
  /**
   * Deletes, `batchSize` rows at a time, the events stored before `olderThanMs` of runs that ended
   * before it (and of runs that no longer exist); a paused run keeps its events. Returns how many rows went.
   */
  prune(olderThanMs: number, batchSize?: number): Promise<number>;
}

/** The run an Idempotency-Key created. Times are epoch milliseconds. */
export interface IdempotencyRecord {
  /** Who and what the key belongs to, e.g. "agent:assistant:user-1". */
  scope: string;
  key: string;
  /** A digest of the request, to tell a retry from another request under the same key. */
  request_hash: string;
  run_id: string;
  session_id: string;
  created_at: number;
  expires_at: number;
}

export interface IdempotencyStore {
  /**
   * Records the key unless an unexpired record holds it, atomically (across processes too).
   * Returns the record that holds the key: `claimed` is true when it is the one given.
   */
  claim(record: IdempotencyRecord): Promise<{ claimed: boolean; record: IdempotencyRecord }>;
  /** Frees a key whose request was refused before its run began. */
  release(scope: string, key: string, runId: string): Promise<void>;
  /** Deletes records that expired before `nowMs`, `batchSize` at a time; returns how many went. */
  prune(nowMs: number, batchSize?: number): Promise<number>;
}

/** The one storage seam: everything persistent goes through it. */
export interface Store {
  readonly id: string;
  readonly dialect: "sqlite" | "postgres";
  /** Runs pending migrations; safe to call more than once. */
  migrate(): Promise<void>;
  /** Facts an operator should see at startup (e.g. a missing extension and its fallback). */
  notes?(): Promise<string[]>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * The SQLite file its traces are kept in, which another thread may open to write them
   * (tracing then runs on a thread of its own); undefined when traces are in the database itself.
   */
  traceFile?(): TraceFileSettings | undefined;
  readonly sessions: SessionStore;
  readonly runs: RunStore;
  readonly events: RunEventStore;
  readonly idempotency: IdempotencyStore;
  readonly knowledge: KnowledgeStore;
  readonly memories: MemoryStore;
  readonly traces: TraceStore;
  readonly metrics: MetricsStore;
  readonly replicas: ReplicaStore;
}
