import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import type { ComponentKind, RunEvent, RunOutput, RunStatus, Runnable } from "../../run/index.js";
import { EventFactory, componentIdOf, isFinished, isTerminalEvent } from "../../run/index.js";
import type { LiveRun } from "../../runtime/index.js";
import type { Principal } from "../auth/index.js";
import { actingUserId, canSeeUserData } from "../auth/index.js";
import type { ServerContext } from "../context.js";
import type { UploadedFile } from "../http/form-body.js";
import type { RunForm } from "../schemas/run-form.js";
import { filesToMedia } from "./media.js";

export interface FoundRun {
  run: RunOutput;
  live?: LiveRun;
}

const POLL_MS = 250;

/** Run operations shared by every surface: start, look up, list, cancel, replay. */
export class RunService {
  constructor(private readonly ctx: ServerContext) {}

  /** Starts a run of the component; refuses sessions of other components (409) or users (404) up front. */
  async start(
    kind: ComponentKind,
    componentId: string,
    form: RunForm,
    files: readonly UploadedFile[],
    principal: Principal,
  ): Promise<LiveRun> {
    const component = this.ctx.components.get(kind, componentId);
    const message = kind === "workflow" && form.input !== undefined ? jsonInput(form.input) : form.message;
    checkInput(component, message);
    const userId = actingUserId(principal, form.user_id);
    const media = filesToMedia(files);
    if (form.session_id) {
      const session = await this.ctx.store.sessions.get(form.session_id);
      if (session) {
        if (
          !canSeeUserData(principal, session.user_id) ||
          (userId && session.user_id && session.user_id !== userId)
        ) {
          throw new NotFoundError("Session not found", "session");
        }
        if (session.component_id !== componentId || session.session_type !== kind) {
          throw new ConflictError(
            `Session '${form.session_id}' belongs to ${session.session_type} '${session.component_id}'`,
          );
        }
      }
    }
    return this.ctx.runs.start({
      component,
      input: { message, ...(media.length ? { media } : {}) },
      sessionId: form.session_id,
      userId: userId ?? null,
      sessionState: form.session_state,
      metadata: form.metadata,
      dependencies: form.dependencies,
      background: form.background ?? false,
    });
  }

  /** A run of this component that the caller may see, stored or live; 404 otherwise. */
  async find(
    kind: ComponentKind,
    componentId: string,
    runId: string,
    principal: Principal,
    sessionId?: string,
  ): Promise<FoundRun> {
    this.ctx.components.get(kind, componentId);
    const live = this.ctx.runs.get(runId);
    const stored = await this.ctx.store.runs.get(runId);
    let run = stored ?? live?.snapshot();
    if (
      !run ||
      run.component_kind !== kind ||
      componentIdOf(run) !== componentId ||
      !canSeeUserData(principal, run.user_id) ||
      (sessionId !== undefined && run.session_id !== sessionId)
    ) {
      throw new NotFoundError("Run not found", "run");
    }
    if (live && !isFinished(run.status)) {
      // The stored row lags behind a live run: show its status and content so far.
      run = { ...run, status: live.status, content: live.contentSoFar || run.content };
    }
    return { run, live };
  }

  async list(
    kind: ComponentKind,
    componentId: string,
    principal: Principal,
    q: { sessionId?: string; status?: RunStatus; limit: number },
  ): Promise<RunOutput[]> {
    this.ctx.components.get(kind, componentId);
    if (q.sessionId) {
      const session = await this.ctx.store.sessions.get(q.sessionId);
      if (!session || !canSeeUserData(principal, session.user_id))
        throw new NotFoundError("Session not found", "session");
    }
    const runs = await this.ctx.store.runs.list({
      sessionId: q.sessionId,
      componentId,
      status: q.status,
      topLevelOnly: true,
      limit: q.limit,
    });
    return runs
      .filter((r) => r.component_kind === kind && canSeeUserData(principal, r.user_id))
      .map((r) => this.#overlay(r));
  }

  /** Cancels a live run and waits briefly for it to end; a finished run is left as it is. */
  async cancel(
    kind: ComponentKind,
    componentId: string,
    runId: string,
    principal: Principal,
  ): Promise<{ run_id: string; status: RunStatus }> {
    const { run, live } = await this.find(kind, componentId, runId, principal);
    if (isFinished(run.status)) return { run_id: runId, status: run.status };
    await this.ctx.runs.cancel(runId);
    if (live) {
      const ended = await Promise.race([
        live.output.then((o) => o.status).catch(() => "ERROR" as const),
        delay(2000).then(() => undefined),
      ]);
      if (ended) return { run_id: runId, status: ended };
    }
    const now = await this.ctx.store.runs.get(runId);
    return { run_id: runId, status: now?.status ?? "CANCELLED" };
  }

  /**
   * The events after `afterIndex`: from the live run when it runs here, else from the event store,
   * following a run that another process is still running until it ends.
   */
  async *events(found: FoundRun, afterIndex: number, signal?: AbortSignal): AsyncGenerator<RunEvent[]> {
    const { run, live } = found;
    if (live) {
      yield* live.subscribe(afterIndex);
      return;
    }
    let last = afterIndex;
    let status = run.status;
    for (;;) {
      const batch = await this.ctx.store.events.list(run.run_id, last);
      if (batch.length) {
        last = batch[batch.length - 1].event_index;
        yield batch;
        if (isTerminalEvent(batch[batch.length - 1], run.run_id)) return;
      }
      if (isFinished(status)) break;
      const nowLive = this.ctx.runs.get(run.run_id);
      if (nowLive) {
        yield* nowLive.subscribe(last);
        return;
      }
      if (signal?.aborted) return;
      await delay(POLL_MS);
      status = (await this.ctx.store.runs.get(run.run_id))?.status ?? "ERROR";
    }
    // The run ended without a stored terminal event (a crash, or events not kept): close the stream by its status.
    yield terminalEventsFor((await this.ctx.store.runs.get(run.run_id)) ?? run, last + 1);
  }

  #overlay(run: RunOutput): RunOutput {
    const live = this.ctx.runs.get(run.run_id);
    return live && !isFinished(run.status)
      ? { ...run, status: live.status, content: live.contentSoFar || run.content }
      : run;
  }
}

/** A workflow's `input` field: JSON text (as forms send it) is parsed; anything else is taken as it is. */
function jsonInput(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Refuses input the component cannot take (422), before anything is stored. */
function checkInput(component: Runnable, message: unknown): void {
  try {
    component.validateInput?.(message);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(
      err.message,
      err.issues.map((i) => ({ ...i, loc: ["body", ...i.loc] })),
    );
  }
}

/** The terminal events a stored run's stream would have ended with. */
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

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
