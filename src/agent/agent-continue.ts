import type { Message, RunEvent, RunOptions, RunOutput } from "../run/index.js";
import { EventFactory, nowSeconds } from "../run/index.js";
import type { Agent } from "./agent.js";
import type { AgentPausedState, AgentRunState } from "./agent-run.js";
import { NO_ADD_ONS, agentModelLoop, endAgentRun, loadAddOns } from "./agent-run.js";
import type { ModelLoopResult } from "./model-loop.js";
import { systemMessage } from "./system-message.js";
import type { ResolvedCall } from "./tool-resolution.js";
import { runToolCalls } from "./tool-runner.js";

/**
 * Goes on with a paused agent run: RunContinued, then the resolved tool calls (confirmed ones run,
 * rejected ones tell the model so, external ones bring their result), then the model loop again.
 * The run must already be RUNNING in the store (the RunManager moved it there).
 */
export async function* continueAgent(
  agent: Agent,
  paused: RunOutput,
  resolved: ResolvedCall[],
  options: RunOptions,
): AsyncGenerator<RunEvent, RunOutput> {
  const store = agent.options.db ?? options.store;
  const saved = paused.paused_state as AgentPausedState | undefined;
  const system = systemMessage(agent.options);
  const run: RunOutput = {
    ...paused,
    status: "RUNNING",
    messages: [...paused.messages],
    tools: paused.tools.map((t) => ({ ...t })),
    metrics: { ...paused.metrics },
    updated_at: nowSeconds(),
  };
  delete run.paused_state;
  const sessionState = { ...paused.session_state, ...options.sessionState };
  run.session_state = sessionState;
  const events = new EventFactory({
    kind: "agent",
    id: agent.id,
    name: agent.name,
    runId: run.run_id,
    sessionId: run.session_id,
    parentRunId: options.parent?.runId,
    workflow: options.parent?.workflow,
    nestedDepth: options.parent?.nestedDepth,
  });
  const state: AgentRunState = {
    agent,
    run,
    store,
    signal: options.signal ?? new AbortController().signal,
    events,
    // The time before the pause counts; the time spent paused does not.
    startedAt: performance.now() - run.metrics.time * 1000,
    sessionState,
    context: saved?.context ?? (system ? [system] : []),
    counted: saved?.counted ?? 0,
    contentSoFar: "",
    toolContext: {
      runId: run.run_id,
      sessionId: run.session_id,
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
    (async function* (): AsyncGenerator<RunEvent, ModelLoopResult> {
      yield events.make("RunContinued", {});
      state.signal.throwIfAborted();
      const asked = run.messages.find((m) => m.role === "user")?.content ?? "";
      state.addOns = await loadAddOns(state, asked, options.store ?? store);
      const stopper = yield* applyResolutions(state, resolved);
      if (stopper !== undefined) return { content: stopper, messages: [], tools: [] };
      return yield* agentModelLoop(state, [...state.context, ...run.messages]);
    })(),
  );
}

/**
 * Turns each resolution into the tool's result in the conversation; returns the result of a tool
 * that stops the run after its call, if one ran.
 */
async function* applyResolutions(
  state: AgentRunState,
  resolved: ResolvedCall[],
): AsyncGenerator<RunEvent, string | undefined> {
  const { run, events } = state;
  const replace = (execution: RunOutput["tools"][number]) => {
    const i = run.tools.findIndex((t) => t.tool_call_id === execution.tool_call_id);
    if (i >= 0) run.tools[i] = execution;
    else run.tools.push(execution);
  };
  const toolMessage = (e: RunOutput["tools"][number]): Message => ({
    role: "tool",
    content: e.result,
    tool_call_id: e.tool_call_id,
    tool_name: e.tool_name,
    tool_call_error: e.tool_call_error || undefined,
    created_at: nowSeconds(),
  });
  for (const call of resolved) {
    if (call.kind === "run") continue;
    const e = call.execution;
    e.tool_call_error = false;
    e.result =
      call.kind === "external"
        ? call.result
        : `The user rejected this tool call; it did not run.${call.note ? ` Their note: ${call.note}` : ""}`;
    replace(e);
    run.messages.push(toolMessage(e));
    if (call.kind === "external")
      yield events.make("ToolCallCompleted", { tool: { ...e }, content: e.result });
  }
  const toRun = resolved.filter((c) => c.kind === "run");
  if (toRun.length === 0) return undefined;
  const outcomes = yield* runToolCalls({
    calls: toRun.map((c) => ({
      id: c.execution.tool_call_id,
      name: c.execution.tool_name,
      input: JSON.stringify(c.args),
    })),
    tools: new Map(state.agent.tools().map((t) => [t.name, t])),
    context: state.toolContext,
    signal: state.signal,
    events,
    budget: { remaining: undefined },
  });
  run.metrics.tool_calls += outcomes.length;
  let stopper: string | undefined;
  outcomes.forEach((outcome, i) => {
    const { execution } = toRun[i];
    const e = {
      ...execution,
      result: outcome.execution.result,
      tool_call_error: outcome.execution.tool_call_error,
      stop_after_tool_call: outcome.execution.stop_after_tool_call,
      metrics: outcome.execution.metrics,
    };
    replace(e);
    run.messages.push(outcome.message);
    if (outcome.stop && stopper === undefined) stopper = e.result ?? "";
  });
  return stopper;
}
