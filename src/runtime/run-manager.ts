import type { Logger } from "pino";
import { ConflictError, UnavailableError, errorMessage } from "../errors.js";
import { newId } from "../ids.js";
import type { RunEvent, RunInput, RunOutput, Runnable } from "../run/index.js";
import { EventFactory, isTerminalEvent, nowSeconds } from "../run/index.js";
import type { Store } from "../storage/index.js";
import { EventLog } from "./event-log.js";
import { LiveRun } from "./live-run.js";
import type { RunBus } from "./run-bus.js";
import { LocalRunBus } from "./run-bus.js";

export interface RunRequest {
  component: Runnable;
  input: RunInput;
  runId?: string;
  /** Absent or empty: a new session. */
  sessionId?: string;
  userId?: string | null;
  sessionState?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  /** Store the run as PENDING before returning (for 202 answers). */
  background?: boolean;
}

export interface RunManagerOptions {
  store: Store;
  bus?: RunBus;
  logger?: Logger;
  /** Events kept in memory per live run. Default 10,000. */
  bufferSize?: number;
  /** Store events for replay after the buffer or a restart. Default true. */
  storeEvents?: boolean;
}

/**
 * Every live run goes through here: registration, its AbortController, its event buffer,
 * subscribers, cancel requests and the per-session policy for overlapping runs.
 */
export class RunManager {
  readonly store: Store;
  readonly bus: RunBus;
  #live = new Map<string, LiveRun>();
  #bySession = new Map<string, Set<LiveRun>>();
  #log: EventLog | undefined;
  #logger?: Logger;
  #bufferSize: number;
  #unsubscribeCancel: () => void;
  #accepting = true;

  constructor(options: RunManagerOptions) {
    this.store = options.store;
    this.bus = options.bus ?? new LocalRunBus();
    this.#logger = options.logger;
    this.#bufferSize = options.bufferSize ?? 10_000;
    this.#log = options.storeEvents === false ? undefined : new EventLog(this.store.events, options.logger);
    this.#unsubscribeCancel = this.bus.onCancel((runId, reason) => this.#live.get(runId)?.cancel(reason));
  }

  /** Live runs of this process. */
  get size(): number {
    return this.#live.size;
  }

  get(runId: string): LiveRun | undefined {
    return this.#live.get(runId);
  }

  /** Live runs of a session in this process, oldest first. */
  forSession(sessionId: string): LiveRun[] {
    return [...(this.#bySession.get(sessionId) ?? [])];
  }

  /**
   * Registers a run and starts it in the background. Applies the component's session policy:
   * `reject` throws ConflictError while the session has a live run, `interrupt` cancels it first.
   */
  async start(req: RunRequest): Promise<LiveRun> {
    if (!this.#accepting) throw new UnavailableError("The server is shutting down and accepts no new runs");
    const sessionId = req.sessionId || newId();
    const active = this.#bySession.get(sessionId);
    if (active?.size) {
      const policy = req.component.runPolicy.concurrentRuns;
      if (policy === "reject")
        throw new ConflictError(`Session '${sessionId}' already has a run in progress`);
      if (policy === "interrupt")
        for (const r of active) r.cancel("Interrupted by a newer run on the same session");
    }
    const live = new LiveRun({
      runId: req.runId ?? newId(),
      sessionId,
      userId: req.userId ?? null,
      component: req.component,
      input: req.input,
      background: req.background ?? false,
      bufferSize: this.#bufferSize,
      events: this.store.events,
    });
    if (live.background) await this.store.runs.begin(live.snapshot(), seedOf(live));
    this.#register(live);
    void this.#execute(live, req);
    return live;
  }

  /**
   * Cancels a run wherever it runs. Returns false when the run is not live here and the
   * bus was told instead (the intent reaches the process that runs it).
   */
  async cancel(runId: string, reason = "Run cancelled by request"): Promise<boolean> {
    const live = this.#live.get(runId);
    if (live) {
      live.cancel(reason);
      return true;
    }
    await this.bus.publishCancel(runId, reason);
    return false;
  }

  /** Stops accepting runs (shutdown). */
  refuseNewRuns(): void {
    this.#accepting = false;
  }

  /** Waits for live runs to end, up to `ms`; then cancels the rest and waits for them to store their end. */
  async drain(ms: number): Promise<void> {
    const all = () => Promise.allSettled([...this.#live.values()].map((r) => r.output));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all(), new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
    for (const r of this.#live.values()) r.cancel("The server is shutting down");
    await all();
    await this.#log?.flush();
  }

  async close(): Promise<void> {
    this.#unsubscribeCancel();
    await this.#log?.flush();
  }

  async #execute(live: LiveRun, req: RunRequest): Promise<void> {
    let release: (() => void) | undefined;
    try {
      release = await this.bus.acquireSession(live.sessionId, live.runId, live.signal);
      const stream = live.component.run(live.input, {
        runId: live.runId,
        sessionId: live.sessionId,
        userId: live.userId ?? undefined,
        sessionState: req.sessionState,
        metadata: req.metadata,
        dependencies: req.dependencies,
        signal: live.signal,
        store: this.store,
        logger: this.#logger,
      });
      for await (const ev of stream) this.#emit(live, ev);
      live.settle(await stream.output);
    } catch (err) {
      await this.#failed(live, err);
    } finally {
      release?.();
      this.#leaveSession(live);
    }
    // Until its events are stored, a finished run is still served from memory to late subscribers.
    await this.#log?.flush();
    this.#live.delete(live.runId);
  }

  #emit(live: LiveRun, ev: RunEvent): void {
    live.push(ev);
    this.#log?.add(live.runId, ev);
  }

  /** A run that threw instead of ending with its own terminal event. */
  async #failed(live: LiveRun, err: unknown): Promise<void> {
    if (live.buffer.nextIndex === 0) {
      // Nothing was streamed: the caller answers with an ordinary error (404, 409, ...).
      live.fail(err);
      if (live.background) await this.#storeFailure(live, err);
      return;
    }
    const last = live.buffer.last;
    if (last && isTerminalEvent(last, live.runId)) {
      live.settle((await this.store.runs.get(live.runId).catch(() => undefined)) ?? live.snapshot());
      return;
    }
    this.#logger?.error({ err, run_id: live.runId }, "run failed without a terminal event");
    const factory = new EventFactory({
      kind: live.kind,
      id: live.component.id,
      name: live.component.name,
      runId: live.runId,
      sessionId: live.sessionId,
    });
    const terminal =
      live.kind === "workflow"
        ? factory.raw("WorkflowError", { error: errorMessage(err) })
        : factory.make("RunError", { content: errorMessage(err) });
    this.#emit(live, { ...terminal, event_index: live.buffer.nextIndex } as RunEvent);
    live.settle(await this.#storeFailure(live, err));
  }

  async #storeFailure(live: LiveRun, err: unknown): Promise<RunOutput> {
    const run = (await this.store.runs.get(live.runId).catch(() => undefined)) ?? live.snapshot();
    run.status = "ERROR";
    run.error = errorMessage(err);
    run.content = run.content || live.contentSoFar;
    run.updated_at = nowSeconds();
    try {
      await this.store.runs.save(run);
    } catch (saveErr) {
      this.#logger?.error({ err: saveErr, run_id: live.runId }, "could not store a failed run");
    }
    return run;
  }

  #register(live: LiveRun): void {
    this.#live.set(live.runId, live);
    let set = this.#bySession.get(live.sessionId);
    if (!set) this.#bySession.set(live.sessionId, (set = new Set()));
    set.add(live);
  }

  #leaveSession(live: LiveRun): void {
    const set = this.#bySession.get(live.sessionId);
    set?.delete(live);
    if (set?.size === 0) this.#bySession.delete(live.sessionId);
  }
}

function seedOf(live: LiveRun) {
  return {
    session_id: live.sessionId,
    session_type: live.kind,
    component_id: live.component.id,
    user_id: live.userId,
  };
}
