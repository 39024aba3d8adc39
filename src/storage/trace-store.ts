/** The tracing part of the Store seam: finished spans and the traces they make up. */

/** A trace as listed: its root run's facts. Times are epoch microseconds. */
export interface TraceRecord {
  trace_id: string;
  /** The root span's name, e.g. "agent.run assistant". */
  name: string;
  /** The root span's status: "OK", "ERROR" or "UNSET". */
  status: string;
  start_time: number;
  end_time: number;
  run_id: string | null;
  session_id: string | null;
  component_kind: string | null;
  agent_id: string | null;
  team_id: string | null;
  workflow_id: string | null;
  user_id: string | null;
}

/** One finished span. Times are epoch microseconds. */
export interface SpanRecord {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  /** OpenTelemetry's span kind: INTERNAL, SERVER, CLIENT, PRODUCER or CONSUMER. */
  kind: string;
  start_time: number;
  end_time: number;
  status: string;
  status_message: string | null;
  attributes: Record<string, unknown>;
}

/** A span as it is written: its attributes already the JSON text they are stored as. */
export type SpanRow = Omit<SpanRecord, "attributes"> & { attributes: string };

export interface TraceQuery {
  runId?: string;
  sessionId?: string;
  agentId?: string;
  teamId?: string;
  workflowId?: string;
  userId?: string;
  status?: string;
  limit: number;
  /** Opaque cursor from a previous page (newest first). */
  cursor?: string;
}

export interface TracePage {
  traces: TraceRecord[];
  nextCursor: string | null;
}

export interface TraceStore {
  /** Stores a batch of finished spans and the traces they complete, in one transaction; repeats are ignored. */
  write(batch: { traces: TraceRecord[]; spans: SpanRow[] }): Promise<void>;
  list(query: TraceQuery): Promise<TracePage>;
  get(traceId: string): Promise<TraceRecord | undefined>;
  /** The spans of these traces, by start time. */
  spans(traceIds: string[]): Promise<SpanRecord[]>;
  /**
   * Deletes, `batchSize` traces at a time, the traces (with their spans) that started before
   * `olderThanUs`, and spans of that age whose trace was never stored. Returns how many traces went.
   */
  prune(olderThanUs: number, batchSize?: number): Promise<number>;
}

/** A SQLite trace file that a thread of its own may open and write (see Store.traceFile). */
export interface TraceFileSettings {
  file: string;
  busyTimeoutMs: number;
}
