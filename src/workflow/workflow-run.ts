import type { Logger } from "pino";
import { errorMessage } from "../errors.js";
import type { RunEvent, RunInput, RunOptions, RunOutput } from "../run/index.js";
import {
  EventFactory,
  NestedRuns,
  cancelReason,
  checkNestedStores,
  contentTypeOf,
  finishRun,
  openRun,
  inStreamOrder,
  nowSeconds,
  storeFailedRun,
} from "../run/index.js";
import type { Store } from "../storage/index.js";
import type { WorkflowRunState } from "./step-executor.js";
import { StepFailedError, runSteps } from "./step-executor.js";
import type { StepResult, WorkflowStep } from "./steps.js";
import { childrenOf } from "./steps.js";
import type { Workflow } from "./workflow.js";

/**
 * One workflow run from start to end. Invalid input and errors before WorkflowStarted are thrown;
 * after it, every path ends with exactly one terminal event: WorkflowCompleted, WorkflowError
 * (naming the failing step) or WorkflowCancelled. Earlier steps' results are stored either way.
 */
export async function* runWorkflow(
  workflow: Workflow,
  input: RunInput,
  options: RunOptions,
): AsyncGenerator<RunEvent, RunOutput> {
  const value = workflow.parseInput(input.message);
  const o = workflow.options;
  const store = o.db ?? options.store;
  checkNestedStores(`Workflow '${workflow.id}'`, store, componentsOf(workflow.steps));
  const signal = options.signal ?? new AbortController().signal;
  const parsed: RunInput = { ...input, message: value };
  const { run, source, sessionState } = await openRun({
    kind: "workflow",
    id: workflow.id,
    name: workflow.name,
    input: parsed,
    options,
    store,
    metadata: o.metadata,
    defaultState: o.sessionState,
  });
  const { runId, sessionId } = source;
  const state: WorkflowRunState = {
    workflow,
    run,
    events: new EventFactory(source),
    nested: new NestedRuns({
      parentRunId: runId,
      sessionId,
      userId: run.user_id ?? undefined,
      depth: options.parent?.nestedDepth ?? 0,
      store,
      logger: options.logger,
      onNote: options.onNote,
      dependencies: options.dependencies,
      sessionState,
      metrics: run.metrics,
      signal,
    }),
    input: value,
    media: input.media,
    signal,
    sessionState,
    dependencies: options.dependencies ?? {},
    outputs: {},
  };
  return yield* inStreamOrder(lifecycle(state, store, options.logger), new EventFactory(source));
}

async function* lifecycle(
  state: WorkflowRunState,
  store: Store | undefined,
  logger: Logger | undefined,
): AsyncGenerator<RunEvent, RunOutput> {
  const { run, events, signal, workflow } = state;
  const startedAt = performance.now();
  const results: StepResult[] = [];
  run.step_results = results;
  try {
    yield events.raw("WorkflowStarted", {});
    signal.throwIfAborted();
    const last = yield* runSteps(state, workflow.steps, undefined, results);
    run.content = last ?? null;
    run.content_type = contentTypeOf(run.content);
    if (run.content !== null)
      run.messages.push({
        role: "assistant",
        content: typeof last === "string" ? last : JSON.stringify(last),
        created_at: nowSeconds(),
      });
    signal.throwIfAborted();
    finishRun(run, "COMPLETED", null, startedAt);
    if (store)
      await store.runs.finish(run, {
        session_state: state.sessionState,
        messages_added: run.messages.length,
      });
    yield events.raw("WorkflowCompleted", {
      content: run.content,
      content_type: run.content_type,
      step_results: results,
      metrics: run.metrics,
      session_state: state.sessionState,
    });
    return run;
  } catch (err) {
    const cancelled = signal.aborted;
    run.content = lastOutput(results);
    run.content_type = contentTypeOf(run.content);
    finishRun(
      run,
      cancelled ? "CANCELLED" : "ERROR",
      cancelled ? cancelReason(signal) : errorMessage(err),
      startedAt,
    );
    await storeFailedRun(store, run, run.messages.length, logger);
    if (cancelled) {
      yield events.raw("WorkflowCancelled", { reason: run.error, content: run.content });
    } else {
      yield events.raw("WorkflowError", {
        error: run.error,
        error_type:
          err instanceof StepFailedError && err.cause instanceof Error
            ? err.cause.name
            : err instanceof Error
              ? err.name
              : "Error",
        ...(err instanceof StepFailedError ? { step_name: err.stepName } : {}),
      });
    }
    return run;
  }
}

/** The output of the last top-level step that completed, for a run that did not finish. */
function lastOutput(results: readonly StepResult[]): unknown {
  for (let i = results.length - 1; i >= 0; i--)
    if (results[i].success && !results[i].skipped) return results[i].content;
  return null;
}

/** The agents and teams the steps run, nested ones included. */
function* componentsOf(steps: readonly WorkflowStep[]): Generator<{ id: string; db?: Store }> {
  for (const s of steps) {
    if (s.kind === "agent") yield s.agent;
    else if (s.kind === "team") yield s.team;
    yield* componentsOf(childrenOf(s));
  }
}
