import type { Media } from "./media.js";
import type { Message } from "./message.js";
import type { RunMetrics } from "./metrics.js";
import type { RunStatus } from "./status.js";
import type { ToolExecution } from "./tool-execution.js";
import type { ComponentKind } from "./events.js";

/** What a run was asked: a message (text, or JSON for workflows) and any media. */
export interface RunInputRecord {
  input_content: unknown;
  media?: Media[];
}

/** A run's result; also what is stored for it. Times are epoch seconds. */
export interface RunOutput {
  run_id: string;
  session_id: string;
  user_id: string | null;
  parent_run_id: string | null;
  component_kind: ComponentKind;
  agent_id?: string;
  agent_name?: string;
  team_id?: string;
  team_name?: string;
  workflow_id?: string;
  workflow_name?: string;
  status: RunStatus;
  input: RunInputRecord;
  /** The answer: text, or an object for structured output. */
  content: unknown;
  content_type: string;
  messages: Message[];
  tools: ToolExecution[];
  metrics: RunMetrics;
  model: string | null;
  model_provider: string | null;
  session_state: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
  /** Why the run ended ERROR or CANCELLED. */
  error: string | null;
  member_responses?: RunOutput[];
  step_results?: unknown[];
  references?: unknown[];
  created_at: number;
  updated_at: number;
  /** What the component needs to continue a paused run (its own format; in no API shape). */
  paused_state?: Record<string, unknown>;
}

/** The component id of a run, whatever its kind. */
export function componentIdOf(
  run: Pick<RunOutput, "component_kind" | "agent_id" | "team_id" | "workflow_id">,
): string {
  return (
    (run.component_kind === "agent"
      ? run.agent_id
      : run.component_kind === "team"
        ? run.team_id
        : run.workflow_id) ?? ""
  );
}
