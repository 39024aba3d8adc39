import type { Logger } from "pino";
import { countsAsSessionMessage, historyMessages, modelLoop } from "../agent/index.js";
import type { ModelLoopResult } from "../agent/index.js";
import { errorMessage } from "../errors.js";
import type { Message, RunEvent, RunInput, RunOptions, RunOutput, ToolExecution } from "../run/index.js";
import {
  EventChannel,
  EventFactory,
  NestedRuns,
  RunCancelledError,
  cancelReason,
  checkNestedStores,
  contentTypeOf,
  finishRun,
  openRun,
  inStreamOrder,
  nowSeconds,
  storeFailedRun,
  whileSettling,
  withChannel,
} from "../run/index.js";
import type { Store } from "../storage/index.js";
import type { Tool, ToolContext } from "../tool/index.js";
import { runMode } from "./modes.js";
import type { Team } from "./team.js";

/** Everything a mode needs of the run it works for. */
export interface TeamRunContext {
  team: Team;
  input: RunInput;
  run: RunOutput;
  userMessage: Message;
  /** Earlier runs of the session, for the leader's prompt. */
  history: Message[];
  events: EventFactory;
  channel: EventChannel;
  members: NestedRuns;
  signal: AbortSignal;
  sessionState: Record<string, unknown>;
  /** What the leader's tools see of the run. */
  toolContext: Omit<ToolContext, "toolCallId" | "signal">;
  /** Runs a leader model loop with these messages and tools; members' events interleave with it. */
  leader(messages: readonly Message[], tools: readonly Tool[]): AsyncGenerator<RunEvent, ModelLoopResult>;
}

/** What a mode produces: the answer and what the leader's conversation added. */
export interface ModeResult {
  content: unknown;
  messages: Message[];
  tools: ToolExecution[];
}

/**
 * One team run from start to end. Errors before TeamRunStarted are thrown; after it, every path
 * ends with exactly one terminal event, after every member run has ended.
 */
export async function* runTeam(
  team: Team,
  input: RunInput,
  options: RunOptions,
): AsyncGenerator<RunEvent, RunOutput> {
  const o = team.options;
  const store = o.db ?? options.store;
  const signal = options.signal ?? new AbortController().signal;
  const model = team.resolvedModel();
  const modelName = team.modelName();
  // Definition errors are the caller's, before anything is stored.
  team.tools();
  checkNestedStores(`Team '${team.id}'`, store, team.members);
  const { run, source, userMessage, sessionState } = await openRun({
    kind: "team",
    id: team.id,
    name: team.name,
    input,
    options,
    store,
    model: modelName,
    metadata: o.metadata,
    defaultState: o.sessionState,
  });
  const { runId, sessionId } = source;

  // Members stop when the team is cancelled, and when the team fails on its own.
  const membersStop = new AbortController();
  const stopMembers = () => membersStop.abort(signal.reason);
  if (signal.aborted) stopMembers();
  else signal.addEventListener("abort", stopMembers, { once: true });
  const channel = new EventChannel();
  const members = new NestedRuns({
    parentRunId: runId,
    sessionId,
    userId: run.user_id ?? undefined,
    depth: options.parent?.nestedDepth ?? 0,
    workflow: options.parent?.workflow,
    store,
    logger: options.logger,
    onNote: options.onNote,
    dependencies: options.dependencies,
    sessionState,
    metrics: run.metrics,
    signal: membersStop.signal,
    channel,
  });
  const events = new EventFactory(source);
  const startedAt = performance.now();
  const progress = { content: "" };
  const toolContext = {
    runId,
    sessionId,
    userId: run.user_id ?? undefined,
    sessionState,
    dependencies: options.dependencies ?? {},
    componentId: team.id,
  };
  const ctx: TeamRunContext = {
    team,
    input,
    run,
    userMessage,
    history: [],
    events,
    channel,
    members,
    signal,
    sessionState,
    toolContext,
    leader: (messages, tools) =>
      withChannel(
        modelLoop({
          model,
          modelName,
          messages,
          tools,
          toolContext,
          signal,
          events,
          metrics: run.metrics,
          startedAt,
          toolCallLimit: o.toolCallLimit,
          maxModelRequests: o.maxModelRequests ?? 20,
          settings: { temperature: o.temperature, maxOutputTokens: o.maxOutputTokens },
          onContent: (delta) => (progress.content += delta),
        }),
        channel,
      ),
  };
  try {
    return yield* inStreamOrder(
      lifecycle(ctx, store, startedAt, progress, membersStop, options.logger),
      new EventFactory(source),
      (ev) => linkChildRun(ev, runId, members.childRuns),
    );
  } finally {
    signal.removeEventListener("abort", stopMembers);
    // A consumer that stopped reading early leaves no member running.
    if (!membersStop.signal.aborted)
      membersStop.abort(new RunCancelledError("The team run's stream was abandoned"));
  }
}

async function* lifecycle(
  ctx: TeamRunContext,
  store: Store | undefined,
  startedAt: number,
  progress: { content: string },
  membersStop: AbortController,
  logger: Logger | undefined,
): AsyncGenerator<RunEvent, RunOutput> {
  const { team, run, events, signal, members, sessionState } = ctx;
  const o = team.options;
  try {
    yield events.make("RunStarted", { model: run.model ?? "", model_provider: run.model_provider ?? "" });
    signal.throwIfAborted();
    if (o.addHistoryToContext && store)
      ctx.history = historyMessages(await store.runs.history(run.session_id, team.id, o.numHistoryRuns ?? 3));
    const result = yield* runMode(ctx);
    run.messages.push(...result.messages);
    run.tools = result.tools.map((t) => {
      const child = members.childRuns.get(t.tool_call_id);
      return child ? { ...t, child_run_id: child } : t;
    });
    run.content = result.content;
    run.content_type = contentTypeOf(result.content);
    run.member_responses = members.outputs;
    yield events.make("RunContentCompleted", {});
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
      member_responses: run.member_responses,
    });
    return run;
  } catch (err) {
    const cancelled = signal.aborted;
    if (!membersStop.signal.aborted) membersStop.abort(new RunCancelledError("The team run failed"));
    // Members end (CANCELLED) and their last events reach the stream before the team's terminal event.
    yield* whileSettling(members.settled(), ctx.channel);
    run.member_responses = members.outputs;
    if (progress.content && run.messages.length === 1)
      run.messages.push({ role: "assistant", content: progress.content, created_at: nowSeconds() });
    if (run.status === "RUNNING" || run.status === "COMPLETED") run.content = run.content || progress.content;
    finishRun(
      run,
      cancelled ? "CANCELLED" : "ERROR",
      cancelled ? cancelReason(signal) : errorMessage(err),
      startedAt,
    );
    await storeFailedRun(store, run, run.messages.filter(countsAsSessionMessage).length, logger);
    if (cancelled) {
      yield events.make("RunCancelled", { reason: run.error! });
      yield events.make("RunCompleted", {
        content: run.content,
        content_type: run.content_type,
        metrics: run.metrics,
        session_state: sessionState,
        member_responses: run.member_responses,
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

/** The leader's tool events name the member run a delegation started. */
function linkChildRun(ev: RunEvent, runId: string, childRuns: ReadonlyMap<string, string>): RunEvent {
  if (ev.run_id !== runId || (ev.event !== "TeamToolCallCompleted" && ev.event !== "TeamToolCallError"))
    return ev;
  const tool = (ev as { tool: ToolExecution }).tool;
  const child = childRuns.get(tool.tool_call_id);
  return child ? ({ ...ev, tool: { ...tool, child_run_id: child } } as RunEvent) : ev;
}
