import type { Logger } from "pino";
import { errorMessage } from "../errors.js";
import { newId } from "../ids.js";
import type { Message, RunEvent, RunInput, RunOptions, RunOutput } from "../run/index.js";
import { EventFactory, cancelReason, emptyMetrics, nowSeconds } from "../run/index.js";
import type { Store } from "../storage/index.js";
import type { Agent } from "./agent.js";
import { modelLoop } from "./model-loop.js";
import type { RunAddOns } from "./run-add-ons.js";
import { parseStructured } from "./structured-output.js";
import { countsAsSessionMessage, historyMessages, systemMessage } from "./system-message.js";

const NO_ADD_ONS: RunAddOns = { tools: [], sections: [], references: [], async *after() {} };

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
  const signal = options.signal ?? new AbortController().signal;
  const startedAt = performance.now();
  const runId = options.runId ?? newId();
  const sessionId = options.sessionId || newId();
  const model = agent.resolvedModel();
  const modelName = agent.modelName();
  const events = new EventFactory({
    kind: "agent",
    id: agent.id,
    name: agent.name,
    runId,
    sessionId,
    parentRunId: options.parent?.runId,
    workflow: options.parent?.workflow,
    nestedDepth: options.parent?.nestedDepth,
  });
  const now = nowSeconds();
  const userMessage: Message = {
    role: "user",
    content: typeof input.message === "string" ? input.message : JSON.stringify(input.message),
    ...(input.media?.length ? { media: input.media } : {}),
    created_at: now,
  };
  const run: RunOutput = {
    run_id: runId,
    session_id: sessionId,
    user_id: options.userId ?? null,
    parent_run_id: options.parent?.runId ?? null,
    component_kind: "agent",
    agent_id: agent.id,
    agent_name: agent.name,
    status: "RUNNING",
    input: { input_content: input.message, ...(input.media?.length ? { media: input.media } : {}) },
    content: "",
    content_type: "str",
    messages: [userMessage],
    tools: [],
    metrics: emptyMetrics(),
    model: modelName.id,
    model_provider: modelName.provider,
    session_state: null,
    metadata: options.metadata ?? o.metadata ?? null,
    error: null,
    created_at: now,
    updated_at: now,
  };

  const session = store
    ? await store.runs.begin(run, {
        session_id: sessionId,
        session_type: "agent",
        component_id: agent.id,
        user_id: run.user_id,
      })
    : undefined;
  if (run.user_id === null && session?.user_id) run.user_id = session.user_id;
  const sessionState: Record<string, unknown> = {
    ...o.sessionState,
    ...session?.session_state,
    ...options.sessionState,
  };
  run.session_state = sessionState;
  let contentSoFar = "";

  try {
    yield events.make("RunStarted", { model: modelName.id, model_provider: modelName.provider });
    signal.throwIfAborted();
    const history =
      o.addHistoryToContext && store
        ? await store.runs.history(sessionId, agent.id, o.numHistoryRuns ?? 3)
        : [];
    // Knowledge and memory load with the first agent that uses them.
    const addOns: RunAddOns =
      o.knowledge || agent.hasMemory
        ? await (
            await import("./run-add-ons.js")
          ).prepareAddOns(agent, {
            store,
            knowledgeStore: options.store ?? store,
            run,
            userText: userMessage.content ?? "",
            events,
            signal,
            logger: options.logger,
          })
        : NO_ADD_ONS;
    if (o.knowledge) run.references = addOns.references; // filled as the run searches
    const system = systemMessage(o, addOns.sections);
    const result = yield* modelLoop({
      model,
      modelName,
      messages: [...(system ? [system] : []), ...historyMessages(history), userMessage],
      tools: addOns.tools.length ? [...agent.tools(), ...addOns.tools] : agent.tools(),
      toolContext: {
        runId,
        sessionId,
        userId: run.user_id ?? undefined,
        sessionState,
        dependencies: options.dependencies ?? {},
        componentId: agent.id,
      },
      signal,
      events,
      metrics: run.metrics,
      startedAt,
      toolCallLimit: o.toolCallLimit,
      maxModelRequests: o.maxModelRequests ?? 20,
      responseFormat: agent.responseFormat(),
      settings: { temperature: o.temperature, maxOutputTokens: o.maxOutputTokens },
      onContent: (delta) => (contentSoFar += delta),
    });
    run.messages.push(...result.messages);
    run.tools = result.tools;
    if (o.outputSchema) {
      run.content = parseStructured(o.outputSchema, result.content);
      run.content_type = "json";
    } else {
      run.content = result.content;
    }
    yield events.make("RunContentCompleted", {});
    signal.throwIfAborted();
    yield* addOns.after(run);
    signal.throwIfAborted();
    finishRun(run, "COMPLETED", null, startedAt);
    if (store)
      await store.runs.finish(run, {
        session_state: sessionState,
        messages_added: run.messages.filter(countsAsSessionMessage).length,
      });
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
    if (contentSoFar && run.messages.length === 1)
      run.messages.push({ role: "assistant", content: contentSoFar, created_at: nowSeconds() });
    if (run.status === "RUNNING" || run.status === "COMPLETED") run.content = run.content || contentSoFar;
    finishRun(
      run,
      cancelled ? "CANCELLED" : "ERROR",
      cancelled ? cancelReason(signal) : errorMessage(err),
      startedAt,
    );
    await persistEnd(store, run, options.logger);
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

function finishRun(
  run: RunOutput,
  status: RunOutput["status"],
  error: string | null,
  startedAt: number,
): void {
  run.status = status;
  run.error = error;
  run.metrics.time = (performance.now() - startedAt) / 1000;
  run.updated_at = nowSeconds();
}

/** Stores a run that ended badly (its session state is left as it was); a failing db is logged, never allowed to hide the terminal event. */
async function persistEnd(store: Store | undefined, run: RunOutput, logger?: Logger) {
  if (!store) return;
  try {
    await store.runs.finish(run, { messages_added: run.messages.filter(countsAsSessionMessage).length });
  } catch (err) {
    logger?.error({ err, run_id: run.run_id }, "could not store the end of a run");
  }
}
