import { componentIdOf } from "./output.js";
import type { RunOutput } from "./output.js";
import { EventFactory } from "./event-factory.js";
import type { RunEvent } from "./events.js";

/**
 * The terminal events a run's stream ends with, made from its stored state: for a run that ended
 * without producing them itself (cancelled before it started, cut short by a crash) or to close a replay.
 */
export function terminalEventsFor(run: RunOutput, firstIndex: number): RunEvent[] {
  const name = run.agent_name ?? run.team_name ?? run.workflow_name ?? "";
  const f = new EventFactory({
    kind: run.component_kind,
    id: componentIdOf(run),
    name,
    runId: run.run_id,
    sessionId: run.session_id,
  });
  const done = { content: run.content, content_type: run.content_type, metrics: run.metrics };
  let events: RunEvent[];
  if (run.component_kind === "workflow") {
    events = [
      run.status === "COMPLETED"
        ? f.raw("WorkflowCompleted", done)
        : run.status === "CANCELLED"
          ? f.raw("WorkflowCancelled", { reason: run.error ?? "cancelled" })
          : f.raw("WorkflowError", { error: run.error ?? `Run ended with status ${run.status}` }),
    ];
  } else if (run.status === "COMPLETED") events = [f.make("RunCompleted", done)];
  else if (run.status === "CANCELLED")
    events = [f.make("RunCancelled", { reason: run.error ?? "Run cancelled" }), f.make("RunCompleted", done)];
  else if (run.status === "PAUSED")
    events = [f.make("RunPaused", { tools: run.tools.filter((t) => t.result === null) })];
  else events = [f.make("RunError", { content: run.error ?? `Run ended with status ${run.status}` })];
  return events.map((e, i) => ({ ...e, event_index: firstIndex + i }) as RunEvent);
}
