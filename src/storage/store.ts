import type { ComponentKind, RunEvent, RunOutput, RunStatus } from "../run/index.js";
import type { KnowledgeStore } from "./knowledge-store.js";
import type { MemoryStore } from "./memory-store.js";

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
}

export interface RunListQuery {
  sessionId?: string;
  componentId?: string;
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
  /** Writes the run's final state and updates its session (state, counts, updated_at) in one transaction. */
  finish(
    run: RunOutput,
    session: { session_state?: Record<string, unknown> | null; messages_added: number },
  ): Promise<void>;
  get(runId: string): Promise<RunOutput | undefined>;
  list(query: RunListQuery): Promise<RunOutput[]>;
  summaries(query: RunListQuery): Promise<RunSummary[]>;
  /** The last `limit` completed top-level runs of a session for one component, oldest first. */
  history(sessionId: string, componentId: string, limit: number): Promise<RunOutput[]>;
  /** At startup: runs a crash left RUNNING or PENDING become ERROR with the reason. Returns their ids. */
  failUnfinished(reason: string): Promise<string[]>;
}

export interface RunEventStore {
  /** Stores events of the stream of `runId` (nested runs' events included, numbered in that stream). */
  append(runId: string, events: RunEvent[]): Promise<void>;
  /** Stored events of a run's stream with event_index > afterIndex, in order. */
  list(runId: string, afterIndex: number): Promise<RunEvent[]>;
  /** Deletes events of runs that ended before `olderThanMs`; returns how many rows went. */
  prune(olderThanMs: number, batchSize?: number): Promise<number>;
}

/** The one storage seam: everything persistent goes through it. */
export interface Store {
  readonly id: string;
  readonly dialect: "sqlite" | "postgres";
  /** Runs pending migrations; safe to call more than once. */
  migrate(): Promise<void>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly sessions: SessionStore;
  readonly runs: RunStore;
  readonly events: RunEventStore;
  readonly knowledge: KnowledgeStore;
  readonly memories: MemoryStore;
}
