import type { RunEvent } from "../../../run/index.js";
import { agnoMetrics } from "./compact.js";

/** Events whose Agno class has `content_type` ("str" unless structured). */
const HAS_CONTENT_TYPE = new Set([
  "RunContent",
  "RunIntermediateContent",
  "RunCompleted",
  "ReasoningStep",
  "ReasoningCompleted",
  "TeamRunContent",
  "TeamRunIntermediateContent",
  "TeamRunCompleted",
  "TeamReasoningStep",
  "TeamReasoningCompleted",
  "WorkflowCompleted",
  "StepCompleted",
]);
/** Events whose Agno class has `workflow_agent` (false unless run by a workflow's agent). */
const HAS_WORKFLOW_AGENT = new Set(["RunContent", "TeamRunContent"]);

/**
 * An event as Agno writes it: null fields omitted, metrics without zeros, `content_type` and
 * `workflow_agent` where its class has them. `event_index` is kept only where Agno sends it
 * (background streams and resume).
 */
export function agnoEvent(ev: RunEvent, withIndex: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const src = ev as unknown as Record<string, unknown>;
  for (const key in src) {
    const v = src[key];
    if (v === null || v === undefined) continue;
    if (key === "event_index" && !withIndex) continue;
    out[key] = key === "metrics" && typeof v === "object" ? agnoMetrics(v as Record<string, unknown>) : v;
  }
  if (HAS_CONTENT_TYPE.has(ev.event) && out.content_type === undefined) out.content_type = "str";
  if (HAS_WORKFLOW_AGENT.has(ev.event) && out.workflow_agent === undefined) out.workflow_agent = false;
  return out;
}

/** One SSE frame as Agno frames it: `event:` and one line of compact JSON, no `id:` line. */
export function agnoFrame(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Events of the run itself that `stream_events=false` still sends: content deltas, pauses and errors. */
const ESSENTIAL = new Set([
  "RunContent",
  "TeamRunContent",
  "RunPaused",
  "TeamRunPaused",
  "RunError",
  "TeamRunError",
  "WorkflowPaused",
  "WorkflowError",
  "StepOutput",
]);

/** Whether a `stream_events=false` stream sends this event. */
export function isEssentialEvent(ev: RunEvent, rootRunId: string): boolean {
  return ev.run_id === rootRunId && ESSENTIAL.has(ev.event);
}
