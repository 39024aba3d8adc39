import { abortable } from "../agent/index.js";
import { errorMessage } from "../errors.js";
import { newId } from "../ids.js";
import type {
  EventFactory,
  Media,
  NestedRuns,
  RunEvent,
  RunInput,
  RunOutput,
  Runnable,
  WorkflowContext,
} from "../run/index.js";
import { EventChannel, contentTypeOf, whileSettling } from "../run/index.js";
import type {
  ConditionStep,
  FunctionStep,
  LoopStep,
  ParallelStep,
  RouterStep,
  StepInput,
  StepResult,
  WorkflowStep,
} from "./steps.js";
import { functionName } from "./steps.js";
import type { Workflow } from "./workflow.js";

/** What the steps of one workflow run share. */
export interface WorkflowRunState {
  workflow: Workflow;
  run: RunOutput;
  events: EventFactory;
  nested: NestedRuns;
  input: unknown;
  media?: Media[];
  signal: AbortSignal;
  sessionState: Record<string, unknown>;
  dependencies: Record<string, unknown>;
  /** Every output so far, by step name. */
  outputs: Record<string, unknown>;
}

/** A step that failed, named so that WorkflowError can say which. */
export class StepFailedError extends Error {
  constructor(
    readonly stepName: string,
    override readonly cause: unknown,
  ) {
    super(`Step '${stepName}' failed: ${errorMessage(cause)}`);
    this.name = "StepFailedError";
  }
}

interface Place {
  index: number;
  previous: unknown;
  parentStepId?: string;
}

/** Runs steps in order, each one's results appended to `into`; returns the last output. */
export async function* runSteps(
  state: WorkflowRunState,
  steps: readonly WorkflowStep[],
  previous: unknown,
  into: StepResult[],
  parentStepId?: string,
): AsyncGenerator<RunEvent, unknown> {
  let last = previous;
  for (const [index, s] of steps.entries()) {
    const result = yield* runStep(state, s, { index, previous: last, parentStepId }, into);
    if (!result.skipped) last = result.content;
  }
  return last;
}

/** Runs one step with its retries. Its result is in `into` from the start, filled in as it ends. */
async function* runStep(
  state: WorkflowRunState,
  s: WorkflowStep,
  place: Place,
  into: StepResult[],
): AsyncGenerator<RunEvent, StepResult> {
  const startedAt = performance.now();
  const leaf = s.kind === "agent" || s.kind === "team" || s.kind === "function";
  const result: StepResult = {
    step_name: s.name,
    step_id: newId(),
    step_index: place.index,
    step_type: s.kind,
    executor_type: leaf ? s.kind : null,
    executor_id: s.kind === "agent" ? s.agent.id : s.kind === "team" ? s.team.id : null,
    executor_name:
      s.kind === "agent"
        ? s.agent.name
        : s.kind === "team"
          ? s.team.name
          : s.kind === "function"
            ? functionName(s)
            : null,
    content: null,
    content_type: "str",
    step_run_id: null,
    success: false,
    error: null,
    skipped: false,
    attempts: 0,
    metrics: { time: 0 },
    ...(leaf ? {} : { steps: [] }),
  };
  into.push(result);
  const ids = {
    step_name: s.name,
    step_index: place.index,
    step_id: result.step_id,
    ...(place.parentStepId ? { parent_step_id: place.parentStepId } : {}),
  };
  if (leaf) yield state.events.raw("StepStarted", { ...ids, step_type: s.kind });
  const attempts = (s.retries ?? 0) + 1;
  for (let attempt = 1; ; attempt++) {
    result.attempts = attempt;
    if (result.steps) result.steps = [];
    try {
      state.signal.throwIfAborted();
      const content = yield* execute(state, s, place, result, ids);
      Object.assign(result, { content, content_type: contentTypeOf(content), success: true, error: null });
      result.metrics.time = (performance.now() - startedAt) / 1000;
      if (!result.skipped) state.outputs[s.name] = content;
      if (leaf)
        yield state.events.raw("StepCompleted", {
          ...ids,
          content,
          content_type: result.content_type,
          step_response: result,
        });
      return result;
    } catch (err) {
      result.metrics.time = (performance.now() - startedAt) / 1000;
      if (state.signal.aborted) {
        result.error = errorMessage(state.signal.reason);
        throw state.signal.reason;
      }
      const failure = err instanceof StepFailedError ? err : new StepFailedError(s.name, err);
      result.error = errorMessage(failure.cause);
      const retry = attempt < attempts;
      // A composite step only speaks up when it retries; a failing inner step has said what failed.
      if (retry || failure.stepName === s.name)
        yield state.events.raw("StepError", { ...ids, error: result.error, attempt, will_retry: retry });
      if (!retry) throw failure;
    }
  }
}

function execute(
  state: WorkflowRunState,
  s: WorkflowStep,
  place: Place,
  result: StepResult,
  ids: Record<string, unknown>,
): AsyncGenerator<RunEvent, unknown> {
  switch (s.kind) {
    case "agent":
    case "team":
      return runComponent(state, s.kind === "agent" ? s.agent : s.team, s.input, place, result);
    case "function":
      return runFunction(state, s, place, ids);
    case "parallel":
      return runParallel(state, s, place, result, ids);
    case "condition":
      return runCondition(state, s, place, result, ids);
    case "loop":
      return runLoop(state, s, place, result, ids);
    case "router":
      return runRouter(state, s, place, result, ids);
  }
}

export function stepInput(state: WorkflowRunState, stepName: string, previous: unknown): StepInput {
  return {
    input: state.input,
    previousOutput: previous,
    outputs: state.outputs,
    sessionState: state.sessionState,
    signal: state.signal,
    runId: state.run.run_id,
    sessionId: state.run.session_id,
    userId: state.run.user_id ?? undefined,
    dependencies: state.dependencies,
    ...(state.media?.length ? { media: state.media } : {}),
    stepName,
  };
}

const asText = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** An agent or team step's message: the workflow input, followed by the previous step's output. */
function defaultMessage(state: WorkflowRunState, previous: unknown): string {
  return previous === undefined
    ? asText(state.input)
    : `${asText(state.input)}\n\nOutput of the previous step:\n${asText(previous)}`;
}

async function* runComponent(
  state: WorkflowRunState,
  component: Runnable,
  input: ((s: StepInput) => string | RunInput) | undefined,
  place: Place,
  result: StepResult,
): AsyncGenerator<RunEvent, unknown> {
  const custom = input?.(stepInput(state, result.step_name, place.previous));
  // The run's files go to every agent and team step, unless the step writes its whole input itself.
  const runInput: RunInput =
    typeof custom === "object"
      ? custom
      : {
          message: custom ?? defaultMessage(state, place.previous),
          ...(state.media?.length ? { media: state.media } : {}),
        };
  const runId = newId();
  result.step_run_id = runId;
  const workflow: WorkflowContext = {
    workflow_id: state.workflow.id,
    workflow_name: state.workflow.name,
    workflow_run_id: state.run.run_id,
    step_id: result.step_id,
    step_name: result.step_name,
    step_index: result.step_index,
  };
  const out = yield* state.nested.stream(component, runInput, { runId, workflow });
  return out.content;
}

async function* runFunction(
  state: WorkflowRunState,
  s: FunctionStep,
  place: Place,
  ids: Record<string, unknown>,
): AsyncGenerator<RunEvent, unknown> {
  const value = s.run(stepInput(state, s.name, place.previous));
  if (!isIterator(value)) return await abortable(Promise.resolve(value), state.signal);
  let text = "";
  try {
    for (;;) {
      const next = await abortable(Promise.resolve(value.next()), state.signal);
      if (next.done) return next.value === undefined ? text : next.value;
      const chunk = asText(next.value);
      text += chunk;
      yield state.events.raw("RunContent", { ...ids, content: chunk, content_type: "str" });
    }
  } finally {
    if (state.signal.aborted) void Promise.resolve(value.return?.(undefined)).catch(() => {});
  }
}

type AnyIterator = Iterator<unknown, unknown> | AsyncIterator<unknown, unknown>;

function isIterator(v: unknown): v is AnyIterator {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as { next?: unknown }).next === "function" &&
    (Symbol.asyncIterator in v || Symbol.iterator in v)
  );
}

/**
 * Branches run at the same time, their events interleaved as they come; each output stays under
 * its branch's name. A failing branch fails the step once every branch has ended.
 */
async function* runParallel(
  state: WorkflowRunState,
  s: ParallelStep,
  place: Place,
  result: StepResult,
  ids: Record<string, unknown>,
): AsyncGenerator<RunEvent, unknown> {
  yield state.events.raw("ParallelExecutionStarted", { ...ids, parallel_step_count: s.steps.length });
  const channel = new EventChannel();
  const branches = s.steps.map((branch, index) =>
    channel.pump(
      runStep(
        state,
        branch,
        { index, previous: place.previous, parentStepId: result.step_id },
        result.steps!,
      ),
    ),
  );
  const settled = yield* whileSettling(Promise.allSettled(branches), channel);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  const content: Record<string, unknown> = {};
  for (const r of settled)
    if (r.status === "fulfilled" && !r.value.skipped) content[r.value.step_name] = r.value.content;
  yield state.events.raw("ParallelExecutionCompleted", {
    ...ids,
    parallel_step_count: s.steps.length,
    step_results: result.steps,
  });
  return content;
}

async function* runCondition(
  state: WorkflowRunState,
  s: ConditionStep,
  place: Place,
  result: StepResult,
  ids: Record<string, unknown>,
): AsyncGenerator<RunEvent, unknown> {
  const holds = Boolean(
    await abortable(Promise.resolve(s.when(stepInput(state, s.name, place.previous))), state.signal),
  );
  yield state.events.raw("ConditionExecutionStarted", { ...ids, condition_result: holds });
  const branch = holds ? s.steps : (s.elseSteps ?? []);
  result.skipped = branch.length === 0;
  const last = yield* runSteps(state, branch, place.previous, result.steps!, result.step_id);
  yield state.events.raw("ConditionExecutionCompleted", {
    ...ids,
    condition_result: holds,
    executed_steps: branch.length,
  });
  return result.skipped ? null : last;
}

async function* runLoop(
  state: WorkflowRunState,
  s: LoopStep,
  place: Place,
  result: StepResult,
  ids: Record<string, unknown>,
): AsyncGenerator<RunEvent, unknown> {
  const max = s.maxIterations;
  yield state.events.raw("LoopExecutionStarted", { ...ids, max_iterations: max });
  let last = place.previous;
  let iteration = 0;
  for (let done = false; !done && iteration < max;) {
    iteration++;
    yield state.events.raw("LoopIterationStarted", { ...ids, iteration, max_iterations: max });
    const from = result.steps!.length;
    last = yield* runSteps(state, s.steps, last, result.steps!, result.step_id);
    const results = result.steps!.slice(from);
    for (const r of results) r.iteration = iteration;
    done = s.until
      ? Boolean(
          await abortable(
            Promise.resolve(s.until({ ...stepInput(state, s.name, last), iteration, results })),
            state.signal,
          ),
        )
      : false;
    yield state.events.raw("LoopIterationCompleted", {
      ...ids,
      iteration,
      max_iterations: max,
      should_continue: !done && iteration < max,
    });
  }
  yield state.events.raw("LoopExecutionCompleted", {
    ...ids,
    total_iterations: iteration,
    max_iterations: max,
  });
  return last;
}

async function* runRouter(
  state: WorkflowRunState,
  s: RouterStep,
  place: Place,
  result: StepResult,
  ids: Record<string, unknown>,
): AsyncGenerator<RunEvent, unknown> {
  const picked = await abortable(
    Promise.resolve(s.select(stepInput(state, s.name, place.previous))),
    state.signal,
  );
  const chosen = (Array.isArray(picked) ? picked : [picked])
    .filter((c) => c !== undefined && c !== null)
    .map((c) => {
      const found = s.choices.find((x) => x === c || x.name === (typeof c === "string" ? c : c.name));
      if (!found) {
        const name = typeof c === "string" ? c : c.name;
        throw new Error(
          `Router '${s.name}' chose '${name}', which is not one of its choices: ${s.choices.map((x) => x.name).join(", ")}`,
        );
      }
      return found;
    });
  const names = chosen.map((c) => c.name);
  yield state.events.raw("RouterExecutionStarted", { ...ids, selected_steps: names });
  result.skipped = chosen.length === 0;
  const last = yield* runSteps(state, chosen, place.previous, result.steps!, result.step_id);
  yield state.events.raw("RouterExecutionCompleted", {
    ...ids,
    selected_steps: names,
    executed_steps: chosen.length,
  });
  return result.skipped ? null : last;
}
