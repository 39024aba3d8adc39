import type { Logger } from "pino";
import { errorMessage } from "../errors.js";
import type { Message, RunEvent, RunInput, RunOptions, RunOutput } from "../run/index.js";
import { EventFactory, cancelReason, finishRun, openRun, nowSeconds, storeFailedRun } from "../run/index.js";
import type { Store } from "../storage/index.js";
import type { ToolContext } from "../tool/index.js";
import type { Agent } from "./agent.js";
import { modelLoop } from "./model-loop.js";
import type { ModelLoopResult } from "./model-loop.js";
import type { RunAddOns } from "./run-add-ons.js";
import { parseStructured } from "./structured-output.js";
import { countsAsSessionMessage, historyMessages, systemMessage } from "./system-message.js";

/** What a paused agent run keeps to go on later: the prompt before its own messages (system, history). */
export interface AgentPausedState {
  context: Message[];
  /** How many of the run's messages the session has counted already. */
  counted: number;
}

/** One agent run in progress, shared by a new run and a continued one. */
export interface AgentRunState {
  agent: Agent;
  run: RunOutput;
  store: Store | undefined;
  signal: AbortSignal;
  events: EventFactory;
  /** performance.now() when the run (before any pause) started. */
  startedAt: number;
  sessionState: Record<string, unknown>;
  /** The prompt before the run's own messages. */
  context: Message[];
  /** Messages of the run the session has counted already (a continued run's earlier ones). */
  counted: number;
  contentSoFar: string;
  toolContext: Omit<ToolContext, "toolCallId" | "signal">;
  /** What knowledge and memory add: tools, system-message sections, work after the answer. */
  addOns: RunAddOns;
  logger?: Logger;
  onNote?: RunOptions["onNote"];
}

export const NO_ADD_ONS: RunAddOns = { tools: [], sections: [], references: [], async *after() {} };

/** Knowledge and memory for a run; their modules load with the first agent that uses them. */
export async function loadAddOns(
  state: AgentRunState,
  userText: string,
  knowledgeStore: Store | undefined,
): Promise<RunAddOns> {
  const { agent, run } = state;
  if (!agent.options.knowledge && !agent.hasMemory) return NO_ADD_ONS;
  const { prepareAddOns } = await import("./run-add-ons.js");
  const addOns = await prepareAddOns(agent, {
    store: state.store,
    knowledgeStore,
    run,
    userText,
    events: state.events,
    signal: state.signal,
    logger: state.logger,
    onNote: state.onNote,
  });
  if (agent.options.knowledge) run.references = addOns.references; // filled as the run searches
  return addOns;
}

/**
 * One agent run from start to end. Errors before RunStarted (the session belongs to someone else,
 * the db is down) are thrown; after it, every path ends with exactly one terminal event.
 */
export async function* runAgent(
  agent: Agent,
  input: RunInput,
  options: RunOptions,
): AsyncGenerator<RunEvent, RunOutput> {
  const o = agent.options;
  const store = o.db ?? options.store;
  const startedAt = performance.now();
  const modelName = agent.modelName();
  const { run, source, userMessage, sessionState } = await openRun({
    kind: "agent",
    id: agent.id,
    name: agent.name,
    input,
    options,
    store,
    model: modelName,
    metadata: o.metadata,
    defaultState: o.sessionState,
  });
  const { runId, sessionId } = source;
  const events = new EventFactory(source);
  const state: AgentRunState = {
    agent,
    run,
    store,
    signal: options.signal ?? new AbortController().signal,
    events,
    startedAt,
    sessionState,
    context: [],
    counted: 0,
    contentSoFar: "",
    toolContext: {
      runId,
      sessionId,
      userId: run.user_id ?? undefined,
      sessionState,
      dependencies: options.dependencies ?? {},
      componentId: agent.id,
    },
    addOns: NO_ADD_ONS,
    logger: options.logger,
    onNote: options.onNote,
  };
  return yield* endAgentRun(
    state,
    (async function* () {
      yield events.make("RunStarted", { model: modelName.id, model_provider: modelName.provider });
      state.signal.throwIfAborted();
      const history =
        o.addHistoryToContext && store
          ? await store.runs.history(sessionId, agent.id, o.numHistoryRuns ?? 3)
          : [];
      state.addOns = await loadAddOns(state, userMessage.content ?? "", options.store ?? store);
      const system = systemMessage(o, state.addOns.sections);
      state.context = [...(system ? [system] : []), ...historyMessages(history)];
      return yield* agentModelLoop(state, [...state.context, userMessage]);
    })(),
  );
}

/** The model loop with the agent's settings, over `conversation`. */
export function agentModelLoop(
  state: AgentRunState,
  conversation: Message[],
): AsyncGenerator<RunEvent, ModelLoopResult> {
  const { agent, run } = state;
  const o = agent.options;
  return modelLoop({
    model: agent.resolvedModel(),
    modelName: agent.modelName(),
    messages: conversation,
    tools: state.addOns.tools.length ? [...agent.tools(), ...state.addOns.tools] : agent.tools(),
    toolContext: state.toolContext,
    signal: state.signal,
    events: state.events,
    metrics: run.metrics,
    startedAt: state.startedAt,
    toolCallLimit:
      o.toolCallLimit === undefined ? undefined : Math.max(0, o.toolCallLimit - run.metrics.tool_calls),
    maxModelRequests: Math.max(1, (o.maxModelRequests ?? 20) - run.metrics.model_requests),
    responseFormat: agent.responseFormat(),
    settings: { temperature: o.temperature, maxOutputTokens: o.maxOutputTokens },
    onContent: (delta) => (state.contentSoFar += delta),
  });
}

/**
 * Runs `work` (the model loop, after whatever comes first) and ends the run: completed, paused,
 * cancelled or failed, stored, with exactly one terminal event.
 */
export async function* endAgentRun(
  state: AgentRunState,
  work: AsyncGenerator<RunEvent, ModelLoopResult>,
): AsyncGenerator<RunEvent, RunOutput> {
  const { run, store, signal, events, sessionState } = state;
  const o = state.agent.options;
  try {
    const result = yield* work;
    run.messages.push(...result.messages);
    run.tools.push(...result.tools);
    if (result.paused) {
      run.content = result.content;
      finishRun(run, "PAUSED", null, state.startedAt);
      run.paused_state = { context: state.context, counted: countMessages(run) } satisfies AgentPausedState;
      if (store)
        await store.runs.finish(run, { session_state: sessionState, messages_added: newMessages(state) });
      yield events.make("RunPaused", { tools: result.paused });
      return run;
    }
    if (o.outputSchema) {
      run.content = parseStructured(o.outputSchema, result.content);
      run.content_type = "json";
    } else {
      run.content = result.content;
    }
    yield events.make("RunContentCompleted", {});
    signal.throwIfAborted();
    yield* state.addOns.after(run);
    signal.throwIfAborted();
    finishRun(run, "COMPLETED", null, state.startedAt);
    if (store)
      await store.runs.finish(run, { session_state: sessionState, messages_added: newMessages(state) });
    yield events.make("RunCompleted", {
      content: run.content,
      content_type: run.content_type,
      metrics: run.metrics,
      session_state: sessionState,
      ...(run.references ? { references: run.references } : {}),
    });
    return run;
  } catch (err) {
    const cancelled = signal.aborted;
    const contentSoFar = state.contentSoFar;
    if (contentSoFar && run.messages[run.messages.length - 1]?.role !== "assistant")
      run.messages.push({ role: "assistant", content: contentSoFar, created_at: nowSeconds() });
    if (run.status === "RUNNING" || run.status === "COMPLETED") run.content = run.content || contentSoFar;
    finishRun(
      run,
      cancelled ? "CANCELLED" : "ERROR",
      cancelled ? cancelReason(signal) : errorMessage(err),
      state.startedAt,
    );
    await storeFailedRun(store, run, newMessages(state), state.logger);
    if (cancelled) {
      yield events.make("RunCancelled", { reason: run.error! });
      yield events.make("RunCompleted", {
        content: run.content,
        content_type: run.content_type,
        metrics: run.metrics,
        session_state: sessionState,
      });
    } else {
      yield events.make("RunError", {
        content: run.error!,
        error_type: err instanceof Error ? err.name : "Error",
      });
    }
    return run;
  }
}

function countMessages(run: RunOutput): number {
  return run.messages.filter(countsAsSessionMessage).length;
}

/** The run's messages the session has not counted yet. */
function newMessages(state: AgentRunState): number {
  return countMessages(state.run) - state.counted;
}
