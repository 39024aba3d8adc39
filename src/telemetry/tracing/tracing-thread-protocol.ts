import type { OpenEvent, RunEvent, RunNote, RunOutput, ToolExecution } from "../../run/index.js";
import type { ObservedRun } from "../../runtime/index.js";
import type { TraceFileSettings } from "../../storage/index.js";
import type { TracingSettings } from "./tracing.js";

/** What the tracing thread is started with. */
export interface TracingThreadData {
  settings: TracingSettings;
  version: string;
  traceFile: TraceFileSettings;
}

/**
 * What runs did, as the serving thread sends it (a JSON array of these per message): a run's
 * start, a traced event, a note, its end; `run` is a number the serving thread gives each run.
 * Times are epoch milliseconds.
 */
export type RunEntry =
  | [kind: 0, run: number, observed: ObservedRun, at: number]
  | [kind: 1, run: number, event: OpenEvent, at: number]
  | [kind: 2, run: number, note: RunNote]
  | [kind: 3, run: number, output: Pick<RunOutput, "status" | "error"> | null, at: number];

/** Requests the serving thread makes and waits for. */
export type TracingRequest = { id: number; op: "flush" } | { id: number; op: "shutdown" };

/** A warning the tracing thread asks the serving thread's logger to write. */
export interface TracingLog {
  log: { msg: string; fields: Record<string, unknown> };
}

const RUN = ["event", "run_id", "session_id", "parent_run_id", "step_id"] as const;
const COMPONENTS = [
  "agent_id",
  "agent_name",
  "team_id",
  "team_name",
  "workflow_id",
  "workflow_name",
] as const;
const MODEL = ["model", "model_provider"] as const;
const STEP = [
  "event",
  "run_id",
  "step_id",
  "parent_step_id",
  "step_name",
  "step_type",
  "step_index",
] as const;

/** The fields RunSpans reads of each traced event (a team's have the same under a Team prefix). */
const FIELDS: Record<string, readonly string[]> = {
  RunStarted: [...RUN, ...COMPONENTS, ...MODEL],
  WorkflowStarted: [...RUN, ...COMPONENTS],
  ModelRequestStarted: ["event", "run_id", ...MODEL],
  ModelRequestCompleted: [
    "event",
    "run_id",
    ...MODEL,
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "time_to_first_token",
  ],
  ToolCallStarted: ["event", "run_id"],
  ToolCallCompleted: ["event", "run_id", "error"],
  ToolCallError: ["event", "run_id", "error"],
  MemoryUpdateStarted: ["event", "run_id"],
  MemoryUpdateCompleted: ["event", "run_id"],
  SessionSummaryStarted: ["event", "run_id"],
  SessionSummaryCompleted: ["event", "run_id"],
  StepStarted: STEP,
  StepCompleted: ["event", "run_id", "step_id"],
  StepError: ["event", "run_id", "step_id", "error", "will_retry"],
};
const ENDS = ["event", "run_id", "content", "error", "error_type"] as const;

/**
 * The part of a traced event its spans are made of (what RunSpans reads): a run's answer,
 * messages and tool results other than errors stay on the serving thread.
 */
export function slimEvent(event: RunEvent): OpenEvent {
  const ev = event as OpenEvent;
  const name = ev.team_id && ev.event.startsWith("Team") ? ev.event.slice(4) : ev.event;
  const slim: Record<string, unknown> = {};
  if (ev.team_id) slim.team_id = ev.team_id; // tells a team's events from an agent's
  const error = name.endsWith("Error");
  for (const key of FIELDS[name] ?? ENDS)
    if (ev[key] !== undefined && (key !== "content" || error)) slim[key] = ev[key];
  if (Array.isArray(ev.memories)) slim.memories = new Array(ev.memories.length);
  const metrics = ev.metrics as Partial<Record<string, number>> | undefined;
  if (metrics) slim.metrics = { input_tokens: metrics.input_tokens, output_tokens: metrics.output_tokens };
  const tool = ev.tool as ToolExecution | undefined;
  if (tool) {
    const failed = ev.event.endsWith("ToolCallError") || tool.tool_call_error === true;
    slim.tool = {
      tool_name: tool.tool_name,
      tool_call_id: tool.tool_call_id,
      ...(tool.tool_call_error !== undefined ? { tool_call_error: tool.tool_call_error } : {}),
      ...(tool.child_run_id ? { child_run_id: tool.child_run_id } : {}),
      ...(failed && ev.error === undefined ? { result: tool.result } : {}),
    };
  }
  return slim as OpenEvent;
}
