import type { SpanRecord, TraceRecord } from "../../storage/index.js";
import type { TraceWithSpans } from "../services/trace-service.js";

const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();
const ms = (fromUs: number, toUs: number) => Math.round((toUs - fromUs) / 10) / 100;

export interface SpanJson {
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  start_time: string;
  end_time: string;
  duration_ms: number;
  status: string;
  status_message: string | null;
  attributes: Record<string, unknown>;
}

export function spanJson(s: SpanRecord): SpanJson {
  return {
    span_id: s.span_id,
    parent_span_id: s.parent_span_id,
    name: s.name,
    kind: s.kind,
    start_time: iso(s.start_time),
    end_time: iso(s.end_time),
    duration_ms: ms(s.start_time, s.end_time),
    status: s.status,
    status_message: s.status_message,
    attributes: s.attributes,
  };
}

function traceFields(t: TraceRecord) {
  return {
    trace_id: t.trace_id,
    name: t.name,
    status: t.status,
    start_time: iso(t.start_time),
    end_time: iso(t.end_time),
    duration_ms: ms(t.start_time, t.end_time),
    run_id: t.run_id,
    session_id: t.session_id,
    agent_id: t.agent_id,
    team_id: t.team_id,
    workflow_id: t.workflow_id,
    user_id: t.user_id,
  };
}

/** A trace as listed: its fields and its spans (flat, by start time, with their parent ids). */
export function traceListItem({ trace, spans }: TraceWithSpans) {
  return { ...traceFields(trace), spans: spans.map(spanJson) };
}

export type SpanNode = SpanJson & { children: SpanNode[] };

/** One trace with its spans flat and as a tree (a span whose parent is not stored is a root: a remote caller's). */
export function traceDetail(t: TraceWithSpans) {
  const nodes = new Map<string, SpanNode>(t.spans.map((s) => [s.span_id, { ...spanJson(s), children: [] }]));
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent_span_id ? nodes.get(node.parent_span_id) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return { ...traceListItem(t), tree: roots };
}
