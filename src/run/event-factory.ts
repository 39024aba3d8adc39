import { eventName } from "./events.js";
import type { AgentEventName, ComponentKind, EventBase, RunEvent, RunEventPayloads } from "./events.js";

/** Where a run sits when it runs inside a workflow step. */
export interface WorkflowContext {
  workflow_id: string;
  workflow_name?: string;
  workflow_run_id: string;
  step_id?: string;
  step_name?: string;
  step_index?: number;
}

/** Who emits the events of one run. */
export interface EventSource {
  kind: ComponentKind;
  id: string;
  name: string;
  runId: string;
  sessionId: string;
  parentRunId?: string;
  workflow?: WorkflowContext;
  nestedDepth?: number;
}

/**
 * Makes the events of one run: fills the common fields and numbers them in stream order.
 * Events forwarded from nested runs are renumbered into this run's stream.
 */
export class EventFactory {
  #next = 0;
  readonly #base: Omit<EventBase, "event" | "created_at" | "event_index">;

  constructor(readonly source: EventSource) {
    const base: Omit<EventBase, "event" | "created_at" | "event_index"> = {
      run_id: source.runId,
      session_id: source.sessionId,
      nested_depth: source.nestedDepth ?? 0,
    };
    if (source.kind === "agent") {
      base.agent_id = source.id;
      base.agent_name = source.name;
    } else if (source.kind === "team") {
      base.team_id = source.id;
      base.team_name = source.name;
    } else {
      base.workflow_id = source.id;
      base.workflow_name = source.name;
    }
    if (source.parentRunId) base.parent_run_id = source.parentRunId;
    if (source.workflow) Object.assign(base, source.workflow);
    this.#base = base;
  }

  /** The index the next event will get. */
  get nextIndex(): number {
    return this.#next;
  }

  /** An agent-vocabulary event; teams get the `Team` prefix. */
  make<K extends AgentEventName>(name: K, payload: RunEventPayloads[K]): RunEvent {
    return this.raw(eventName(this.source.kind, name), payload as Record<string, unknown>);
  }

  /** An event by its literal name (workflow and team-task events). */
  raw(name: string, payload: Record<string, unknown> = {}): RunEvent {
    return {
      event: name,
      created_at: Math.floor(Date.now() / 1000),
      ...this.#base,
      ...payload,
      event_index: this.#next++,
    } as RunEvent;
  }

  /** A nested run's event, renumbered into this stream. */
  forward(ev: RunEvent): RunEvent {
    return { ...ev, event_index: this.#next++ } as RunEvent;
  }
}
