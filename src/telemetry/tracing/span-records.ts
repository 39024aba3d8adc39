import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { HrTime } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { SpanRow, TraceRecord } from "../../storage/index.js";
import { TRACE_ROOT } from "./run-spans.js";

/** Epoch microseconds. */
export function micros(t: HrTime): number {
  return t[0] * 1_000_000 + Math.floor(t[1] / 1000);
}

const STATUS: Record<number, string> = {
  [SpanStatusCode.UNSET]: "UNSET",
  [SpanStatusCode.OK]: "OK",
  [SpanStatusCode.ERROR]: "ERROR",
};

/** The row a finished span is stored as. */
export function toSpanRow(span: ReadableSpan): SpanRow {
  const ctx = span.spanContext();
  return {
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    parent_span_id: span.parentSpanContext?.spanId ?? null,
    name: span.name,
    kind: SpanKind[span.kind] ?? "INTERNAL",
    start_time: micros(span.startTime),
    end_time: micros(span.endTime),
    status: STATUS[span.status.code] ?? "UNSET",
    status_message: span.status.message ?? null,
    attributes: JSON.stringify(span.attributes),
  };
}

function text(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

/** The trace row a top-level run's span makes; undefined for every other span. */
export function toTraceRecord(span: ReadableSpan, record: SpanRow): TraceRecord | undefined {
  const a = span.attributes;
  if (a[TRACE_ROOT] !== true) return undefined;
  return {
    trace_id: record.trace_id,
    name: record.name,
    status: record.status,
    start_time: record.start_time,
    end_time: record.end_time,
    run_id: text(a["agentos.run_id"]),
    session_id: text(a["agentos.session_id"]),
    component_kind: text(a["agentos.component.kind"]),
    agent_id: text(a["agentos.agent_id"]),
    team_id: text(a["agentos.team_id"]),
    workflow_id: text(a["agentos.workflow_id"]),
    user_id: text(a["agentos.user_id"]),
  };
}
