import type { RunMetrics } from "./metrics.js";
import type { ToolExecution } from "./tool-execution.js";

export type ComponentKind = "agent" | "team" | "workflow";

/** Fields every event carries (Agno's names). */
export interface EventBase {
  event: string;
  /** Epoch seconds. */
  created_at: number;
  /** Position in the stream of the run being streamed: 0, 1, 2, ... */
  event_index: number;
  run_id: string;
  session_id: string;
  parent_run_id?: string;
  agent_id?: string;
  agent_name?: string;
  team_id?: string;
  team_name?: string;
  workflow_id?: string;
  workflow_name?: string;
  workflow_run_id?: string;
  step_id?: string;
  step_name?: string;
  step_index?: number;
  nested_depth: number;
}

/** The payload of each agent event; team events use the same payloads under `Team`-prefixed names. */
export interface RunEventPayloads {
  RunStarted: { model: string; model_provider: string };
  RunContent: { content: unknown; content_type: string; reasoning_content?: string };
  RunIntermediateContent: { content: unknown; content_type: string };
  RunContentCompleted: Record<string, never>;
  RunCompleted: {
    content: unknown;
    content_type: string;
    metrics: RunMetrics;
    session_state?: Record<string, unknown>;
    member_responses?: unknown[];
    references?: unknown[];
    reasoning_content?: string;
  };
  RunError: { content: string; error_type?: string };
  RunCancelled: { reason: string };
  RunPaused: { tools: ToolExecution[]; requirements?: unknown[] };
  RunContinued: Record<string, never>;
  ToolCallStarted: { tool: ToolExecution };
  ToolCallCompleted: { tool: ToolExecution; content: string | null };
  ToolCallError: { tool: ToolExecution; error: string };
  ReasoningStarted: Record<string, never>;
  ReasoningContentDelta: { reasoning_content: string };
  ReasoningStep: { content: unknown; content_type: string; reasoning_content?: string };
  ReasoningCompleted: { content: unknown; content_type: string };
  MemoryUpdateStarted: Record<string, never>;
  MemoryUpdateCompleted: { memories?: unknown[] };
  SessionSummaryStarted: Record<string, never>;
  SessionSummaryCompleted: { session_summary: unknown };
  ModelRequestStarted: { model: string; model_provider: string };
  ModelRequestCompleted: {
    model: string;
    model_provider: string;
    input_tokens: number;
    output_tokens: number;
    total_tokens: number;
    time_to_first_token: number | null;
    reasoning_tokens: number;
    cache_read_tokens: number;
    cache_write_tokens: number;
  };
  CustomEvent: Record<string, unknown>;
}

export type AgentEventName = keyof RunEventPayloads;
export type TeamEventName = `Team${AgentEventName}`;

export type AgentEvent = {
  [K in AgentEventName]: EventBase & { event: K } & RunEventPayloads[K];
}[AgentEventName];

export type TeamEvent = {
  [K in AgentEventName]: EventBase & { event: `Team${K}` } & RunEventPayloads[K];
}[AgentEventName];

/** Events of workflows and of team modes beyond the agent vocabulary; their payloads are open. */
export interface OpenEvent extends EventBase {
  [field: string]: unknown;
}

export type RunEvent = AgentEvent | TeamEvent | OpenEvent;

/** Looks up an event's payload type by its (possibly Team-prefixed) name. */
export type EventOf<N extends string> = Extract<AgentEvent | TeamEvent, { event: N }>;

const TERMINAL = new Set([
  "RunCompleted",
  "RunError",
  "RunPaused",
  "TeamRunCompleted",
  "TeamRunError",
  "TeamRunPaused",
  "WorkflowCompleted",
  "WorkflowError",
  "WorkflowCancelled",
  "WorkflowPaused",
]);

/** True for the event that ends the stream of `rootRunId` (nested members' terminal events do not). */
export function isTerminalEvent(ev: { event: string; run_id: string }, rootRunId: string): boolean {
  return ev.run_id === rootRunId && TERMINAL.has(ev.event);
}

const PAUSE = new Set(["RunPaused", "TeamRunPaused", "WorkflowPaused"]);

/** True for a pause event of `rootRunId`: it ends the stream until the run is continued. */
export function isPauseEvent(ev: { event: string; run_id: string }, rootRunId: string): boolean {
  return ev.run_id === rootRunId && PAUSE.has(ev.event);
}

/**
 * True when `ev` ends what a reader of the stream of `rootRunId` can get: a terminal event,
 * except a pause the run has since been continued from (its stream goes on after it).
 */
export function endsStream(
  ev: { event: string; run_id: string },
  rootRunId: string,
  status: string,
): boolean {
  return isTerminalEvent(ev, rootRunId) && !(isPauseEvent(ev, rootRunId) && status !== "PAUSED");
}

/** The event name for a component kind: agent names as they are, team names prefixed. */
export function eventName(kind: ComponentKind, name: AgentEventName): string {
  return kind === "team" ? `Team${name}` : name;
}
