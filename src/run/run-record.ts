import type { Logger } from "pino";
import { newId } from "../ids.js";
import type { Store } from "../storage/store.js";
import type { EventSource } from "./event-factory.js";
import type { ComponentKind } from "./events.js";
import type { Message } from "./message.js";
import { nowSeconds } from "./message.js";
import { emptyMetrics } from "./metrics.js";
import type { RunOutput } from "./output.js";
import type { RunInput, RunOptions } from "./runnable.js";

/** The RunOutput a run starts with (status RUNNING). */
function newRunRecord(init: {
  kind: ComponentKind;
  id: string;
  name: string;
  runId: string;
  sessionId: string;
  input: RunInput;
  options: RunOptions;
  model?: { id: string; provider: string };
  metadata?: Record<string, unknown>;
}): RunOutput {
  const { kind, input, options } = init;
  const now = nowSeconds();
  return {
    run_id: init.runId,
    session_id: init.sessionId,
    user_id: options.userId ?? null,
    parent_run_id: options.parent?.runId ?? null,
    component_kind: kind,
    ...(kind === "agent"
      ? { agent_id: init.id, agent_name: init.name }
      : kind === "team"
        ? { team_id: init.id, team_name: init.name }
        : { workflow_id: init.id, workflow_name: init.name }),
    status: "RUNNING",
    input: { input_content: input.message, ...(input.media?.length ? { media: input.media } : {}) },
    content: "",
    content_type: "str",
    messages: [],
    tools: [],
    metrics: emptyMetrics(),
    model: init.model?.id ?? null,
    model_provider: init.model?.provider ?? null,
    session_state: null,
    metadata: options.metadata ?? init.metadata ?? null,
    error: null,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Stores a run's start with its session (when there is a store) and gives the run its session
 * state: the component's defaults, then what the session holds, then what the request sets.
 */
async function beginRun(
  store: Store | undefined,
  run: RunOutput,
  component: { kind: ComponentKind; id: string },
  state: { defaults?: Record<string, unknown>; requested?: Record<string, unknown> },
): Promise<Record<string, unknown>> {
  const session = store
    ? await store.runs.begin(run, {
        session_id: run.session_id,
        session_type: component.kind,
        component_id: component.id,
        user_id: run.user_id,
      })
    : undefined;
  if (run.user_id === null && session?.user_id) run.user_id = session.user_id;
  const sessionState = { ...state.defaults, ...session?.session_state, ...state.requested };
  run.session_state = sessionState;
  return sessionState;
}

/** A run just started: its record (stored with its session), event source and user message. */
export interface OpenedRun {
  run: RunOutput;
  source: EventSource;
  userMessage: Message;
  sessionState: Record<string, unknown>;
}

/**
 * Starts a run of an agent, team or workflow: gives it its ids (a new session unless the options
 * name one), its RUNNING record with the user's message, and stores it with its session.
 */
export async function openRun(init: {
  kind: ComponentKind;
  id: string;
  name: string;
  input: RunInput;
  options: RunOptions;
  store: Store | undefined;
  model?: { id: string; provider: string };
  metadata?: Record<string, unknown>;
  defaultState?: Record<string, unknown>;
}): Promise<OpenedRun> {
  const { kind, id, name, input, options } = init;
  const source: EventSource = {
    kind,
    id,
    name,
    runId: options.runId ?? newId(),
    sessionId: options.sessionId || newId(),
    parentRunId: options.parent?.runId,
    workflow: options.parent?.workflow,
    nestedDepth: options.parent?.nestedDepth,
  };
  const run = newRunRecord({ ...init, runId: source.runId, sessionId: source.sessionId });
  const userMessage = userMessageOf(input);
  run.messages.push(userMessage);
  const sessionState = await beginRun(
    init.store,
    run,
    { kind, id },
    { defaults: init.defaultState, requested: options.sessionState },
  );
  return { run, source, userMessage, sessionState };
}

/** The user message of a run: its text, or its JSON for structured input. */
export function userMessageOf(input: RunInput): Message {
  return {
    role: "user",
    content: typeof input.message === "string" ? input.message : JSON.stringify(input.message),
    ...(input.media?.length ? { media: input.media } : {}),
    created_at: nowSeconds(),
  };
}

/** Sets a run's final status, error and duration. */
export function finishRun(
  run: RunOutput,
  status: RunOutput["status"],
  error: string | null,
  startedAt: number,
): void {
  run.status = status;
  run.error = error;
  run.metrics.time = (performance.now() - startedAt) / 1000;
  run.updated_at = nowSeconds();
  if (status !== "PAUSED") delete run.paused_state;
}

/** Stores a run that ended badly (its session state is left as it was); a failing db is logged, never allowed to hide the terminal event. */
export async function storeFailedRun(
  store: Store | undefined,
  run: RunOutput,
  messagesAdded: number,
  logger?: Logger,
): Promise<void> {
  if (!store) return;
  try {
    await store.runs.finish(run, { messages_added: messagesAdded });
  } catch (err) {
    logger?.error({ err, run_id: run.run_id }, "could not store the end of a run");
  }
}

/** The content type of a run's answer: "str" for text, "json" for anything else. */
export function contentTypeOf(content: unknown): string {
  return typeof content === "string" ? "str" : "json";
}
