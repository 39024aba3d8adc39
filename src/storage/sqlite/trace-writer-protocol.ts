import type { SpanRow, TraceRecord } from "../trace-store.js";
import { SPAN_COLUMNS, TRACE_COLUMNS } from "../sql/trace-tables.js";

/** What the trace file's writer thread is started with. */
export interface TraceWriterData {
  file: string;
  busyTimeoutMs: number;
}

/**
 * A request to the writer thread. Rows travel as flat arrays of their column values: copying
 * plain values between threads costs about half what copying the same rows as objects does.
 */
export type TraceWriterRequest =
  | { id: number; op: "write"; spans: unknown[]; traces: unknown[] }
  | { id: number; op: "prune"; olderThanUs: number; batchSize: number }
  | { id: number; op: "close" };

export type TraceWriterReply = { id: number; ok: true; value?: number } | { id: number; ok: false; error: string };

export function flatten<R>(rows: readonly R[], columns: readonly (keyof R)[]): unknown[] {
  const out = new Array<unknown>(rows.length * columns.length);
  let i = 0;
  for (const row of rows) for (const c of columns) out[i++] = row[c];
  return out;
}

export function unflatten<R>(values: readonly unknown[], columns: readonly (keyof R & string)[]): R[] {
  const rows: R[] = [];
  for (let i = 0; i < values.length; i += columns.length) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) row[columns[c]] = values[i + c];
    rows.push(row as R);
  }
  return rows;
}

export const SPAN_ROW_COLUMNS: readonly (keyof SpanRow & string)[] = SPAN_COLUMNS;
export const TRACE_ROW_COLUMNS: readonly (keyof TraceRecord & string)[] = TRACE_COLUMNS;
