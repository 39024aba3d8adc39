import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import type { ComponentKind, RunEvent, RunOutput, RunStatus, Runnable } from "../../run/index.js";
import {
  componentIdOf,
  endsStream,
  isFinished,
  isTerminalEvent,
  terminalEventsFor,
} from "../../run/index.js";
import type { LiveRun } from "../../runtime/index.js";
import type { Principal } from "../auth/index.js";
import { actingUserId, canSeeUserData, visibleRecord } from "../auth/index.js";
import type { ServerContext } from "../context.js";
import type { UploadedFile } from "../http/form-body.js";
import type { ContinueForm, RunForm } from "../schemas/run-form.js";
import { filesToMedia } from "./media.js";

export interface FoundRun {
  run: RunOutput;
  live?: LiveRun;
}

const POLL_MS = 250;
const REPLAY_BATCH = 500;

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
    ids: { runId?: string; sessionId?: string; traceParent?: string; requestId?: string } = {},
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
      runId: ids.runId,
      sessionId: form.session_id ?? ids.sessionId,
      userId: userId ?? null,
      sessionState: form.session_state,
      metadata: form.metadata,
      dependencies: form.dependencies,
      background: form.background ?? false,
      ...(ids.traceParent ? { traceParent: ids.traceParent } : {}),
      ...(ids.requestId ? { requestId: ids.requestId } : {}),
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
      visibleRecord(principal, session, () => new NotFoundError("Session not found", "session"));
    }
    const runs = await this.ctx.store.runs.list({
      sessionId: q.sessionId,
      componentId,
      // Filtered in the query, so that a page of another user's runs cannot crowd out the caller's.
      userId: actingUserId(principal, undefined),
      status: q.status,
      topLevelOnly: true,
      limit: q.limit,
    });
    return runs
      .filter((r) => r.component_kind === kind && canSeeUserData(principal, r.user_id))
      .map((r) => this.#overlay(r));
  }

  /**
   * Continues a paused run of this component with the caller's resolved tools (409 unless it is
   * paused; 400 or 422 when the resolution does not fit its paused tools).
   */
  async continue(
    kind: ComponentKind,
    run: RunOutput,
    form: ContinueForm,
    http: { traceParent?: string; requestId?: string } = {},
  ): Promise<LiveRun> {
    const component = this.ctx.components.get(kind, componentIdOf(run));
    return this.ctx.runs.continue({ component, run, resolution: { tools: form.tools }, ...http });
  }

  /** The run's final state: awaited when it runs here, else read from the store until it ends (another process runs it). */
  async outcome(runId: string, signal?: AbortSignal): Promise<RunOutput | undefined> {
    for (;;) {
      const live = this.ctx.runs.get(runId);
      if (live) return live.output;
      const run = await this.ctx.store.runs.get(runId);
      if (!run || isFinished(run.status) || signal?.aborted) return run;
      await delay(POLL_MS);
    }
  }

  /**
   * Cancels a live run and waits briefly for it to end; a paused run is cancelled at once (it can
   * no longer be continued); a finished run is left as it is.
   */
  async cancel(
    kind: ComponentKind,
    componentId: string,
    runId: string,
    principal: Principal,
  ): Promise<{ run_id: string; status: RunStatus }> {
    const { run, live } = await this.find(kind, componentId, runId, principal);
    if (run.status === "PAUSED") {
      const ended = await this.ctx.runs.cancelPaused(run);
      const now = ended ?? (await this.ctx.store.runs.get(runId));
      return { run_id: runId, status: now?.status ?? run.status };
    }
    if (isFinished(run.status)) return { run_id: runId, status: run.status };
    await this.ctx.runs.cancel(runId);
    if (live) {
      const ended = await Promise.race([
        live.output.then((o) => o.status).catch(() => "ERROR" as const),
        delay(2000).then(() => undefined),
      ]);
      if (ended) return { run_id: runId, status: ended };
    }
    // Another replica runs it: the request went through the bus; read its end for a moment too.
    const now = live
      ? await this.ctx.store.runs.get(runId)
      : await this.outcome(runId, AbortSignal.timeout(2000));
    return { run_id: runId, status: now?.status ?? "CANCELLED" };
  }

  /**
   * The events after `afterIndex`: from the live run when it runs here, else from the event store,
   * following a run that another process is still running until it ends. A pause the run was since
   * continued from does not end the replay; a client that already has the terminal event gets nothing.
   */
  async *events(found: FoundRun, afterIndex: number, signal?: AbortSignal): AsyncGenerator<RunEvent[]> {
    const { run, live } = found;
    if (live) {
      yield* live.subscribe(afterIndex, signal);
      return;
    }
    const events = this.ctx.store.events;
    let last = afterIndex;
    let lastEvent: RunEvent | undefined;
    let status = run.status;
    let endSeen = false;
    for (;;) {
      const batch = await events.list(run.run_id, last);
      for (let i = 0; i < batch.length; i += REPLAY_BATCH) yield batch.slice(i, i + REPLAY_BATCH);
      if (batch.length) {
        lastEvent = batch[batch.length - 1];
        last = lastEvent.event_index;
      }
      if (lastEvent && endsStream(lastEvent, run.run_id, status)) return;
      if (isFinished(status) && !batch.length) {
        // Nothing after the client's last event: maybe that one was the end.
        lastEvent ??= await this.#storedAt(run.run_id, last);
        if (lastEvent && endsStream(lastEvent, run.run_id, status)) return;
        // Ended without its terminal event stored: give the process that ran it one more poll to store it.
        if (endSeen) break;
        endSeen = true;
      }
      const nowLive = this.ctx.runs.get(run.run_id);
      if (nowLive) {
        yield* nowLive.subscribe(last, signal);
        return;
      }
      if (signal?.aborted) return;
      // Another replica runs it: follow its events through the bus as they come; only the next
      // index is taken, so whatever the bus missed (it restarted) is read from the store instead.
      const tail = await this.#follow(run.run_id, last, signal);
      if (tail.length) {
        yield tail;
        lastEvent = tail[tail.length - 1];
        last = lastEvent.event_index;
        if (isTerminalEvent(lastEvent, run.run_id)) return;
        continue;
      }
      status = (await this.ctx.store.runs.get(run.run_id))?.status ?? "ERROR";
    }
    // A crash (or retention) left no terminal event: close the stream by the run's status, and store
    // that ending so that every later replay ends the same way.
    const terminal = terminalEventsFor((await this.ctx.store.runs.get(run.run_id)) ?? run, last + 1);
    if (this.ctx.runs.storesEvents) {
      await events.append(run.run_id, terminal).catch((err: unknown) => {
        this.ctx.logger.error({ err, run_id: run.run_id }, "could not store the closing events of a run");
      });
    }
    yield terminal;
  }

  /** The events right after `after` that the bus has, in order and without a gap; else waits one poll. */
  async #follow(runId: string, after: number, signal?: AbortSignal): Promise<RunEvent[]> {
    const follow = this.ctx.runs.bus.follow;
    if (!follow) {
      await delay(POLL_MS);
      return [];
    }
    try {
      const got = await follow.call(this.ctx.runs.bus, runId, after, signal);
      const out: RunEvent[] = [];
      for (const ev of got) {
        if (ev.event_index !== after + 1 + out.length) break;
        out.push(ev);
      }
      // A gap: the bus lost events (a restart); the store has them once their replica flushed.
      if (!out.length && got.length) await delay(POLL_MS);
      return out;
    } catch (err) {
      this.ctx.logger.warn(
        { err, run_id: runId },
        "could not follow a run through the bus; reading the store",
      );
      await delay(POLL_MS);
      return [];
    }
  }

  /** The stored event with this index (the last one a reattaching client has), if any. */
  async #storedAt(runId: string, index: number): Promise<RunEvent | undefined> {
    if (index < 0) return undefined;
    // Only called when nothing is stored after `index`: this reads one span at most.
    const [ev] = await this.ctx.store.events.list(runId, index - 1);
    return ev?.event_index === index ? ev : undefined;
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

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
