import type { Logger } from "pino";
import { ConflictError, UnavailableError, errorMessage } from "../errors.js";
import { newId } from "../ids.js";
import type {
  RunEvent,
  RunInput,
  RunNote,
  RunOptions,
  RunOutput,
  RunResolution,
  RunStream,
  Runnable,
} from "../run/index.js";
import { cancelReason, isTerminalEvent, nowSeconds, terminalEventsFor } from "../run/index.js";
import type { Store } from "../storage/index.js";
import { CancelIntents } from "./cancel-intents.js";
import { EventLog } from "./event-log.js";
import { LiveRun } from "./live-run.js";
import type { RunBus } from "./run-bus.js";
import { ownedStore } from "./owned-store.js";
import { LocalRunBus } from "./run-bus.js";
import type { RunObserver, RunWatch } from "./run-observer.js";

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
  /** The caller's W3C traceparent header: the run's trace continues it. */
  traceParent?: string;
  /** The HTTP request that asked for it (for logs). */
  requestId?: string;
}

export interface ContinueRequest {
  component: Runnable;
  /** The paused run as stored. */
  run: RunOutput;
  resolution: RunResolution;
  traceParent?: string;
  requestId?: string;
}

export interface RunManagerOptions {
  store: Store;
  bus?: RunBus;
  logger?: Logger;
  /** Events kept in memory per live run. Default 10,000. */
  bufferSize?: number;
  /** Store events for replay after the buffer or a restart. Default true. */
  storeEvents?: boolean;
  /** Told of every run and its events (tracing, metrics). */
  observers?: RunObserver[];
  /** With several replicas: this one's id, recorded on the runs it runs (see ReplicaSweeper). */
  replicaId?: string;
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
  #intents = new CancelIntents();
  #log: EventLog | undefined;
  #logger?: Logger;
  #bufferSize: number;
  #maxBacklog: number;
  #unsubscribeCancel: () => void;
  #accepting = true;
  #observers: RunObserver[];
  #watches = new WeakMap<LiveRun, RunWatch[]>();
  #replicaId: string | undefined;
  #ownedStore: Store;

  constructor(options: RunManagerOptions) {
    this.store = options.store;
    this.bus = options.bus ?? new LocalRunBus();
    this.#logger = options.logger;
    this.#observers = options.observers ?? [];
    this.#bufferSize = options.bufferSize ?? 10_000;
    this.#replicaId = options.replicaId;
    this.#ownedStore = this.#replicaId ? ownedStore(this.store, this.#replicaId) : this.store;
    this.#maxBacklog = Math.max(this.#bufferSize, 5_000);
    this.#log =
      options.storeEvents === false
        ? undefined
        : new EventLog(this.store.events, options.logger, (runId, last) =>
            this.#live.get(runId)?.buffer.stored(last),
          );
    this.#unsubscribeCancel = this.bus.onCancel((runId, reason) => {
      const live = this.#live.get(runId);
      // A run not (yet) live here keeps the intent: it is cancelled the moment it registers.
      if (live && !live.ended) live.cancel(reason);
      else if (!live) this.#intents.add(runId, reason);
    });
  }

  /** Whether run events are stored (for replay after the buffer or a restart). */
  get storesEvents(): boolean {
    return !!this.#log;
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
    this.#checkAccepting();
    const live = new LiveRun({
      runId: req.runId ?? newId(),
      sessionId: req.sessionId || newId(),
      userId: req.userId ?? null,
      component: req.component,
      input: req.input,
      background: req.background ?? false,
      bufferSize: this.#bufferSize,
      events: this.store.events,
      persisted: !!this.#log,
    });
    await this.#admit(live, async () => {
      if (live.background) await this.store.runs.begin(live.snapshot(), this.#seed(live));
    });
    const options = this.#runOptions(live, req);
    void this.#execute(live, () => req.component.run(req.input, options), req, false);
    return live;
  }

  /**
   * Continues a paused run: checks the resolution, moves the run from PAUSED to RUNNING in one
   * conditional update (of two concurrent continues, one wins; the other gets ConflictError), and
   * runs the continuation under the session policy. Its events go on from the pause's index.
   */
  async continue(req: ContinueRequest): Promise<LiveRun> {
    this.#checkAccepting();
    const { component, run } = req;
    if (run.status !== "PAUSED") throw notPaused(run.run_id, run.status);
    if (!component.continueRun)
      throw new ConflictError(
        `Run '${run.run_id}' cannot be continued: its ${component.kind} does not pause`,
      );
    const current = this.#live.get(run.run_id);
    if (current && !current.ended) throw notPaused(run.run_id, current.status);
    // The pause's own events may still be on their way to the store.
    await this.#log?.flush();
    const live = new LiveRun({
      runId: run.run_id,
      sessionId: run.session_id,
      userId: run.user_id,
      component,
      input: { message: run.input.input_content, ...(run.input.media ? { media: run.input.media } : {}) },
      background: false,
      bufferSize: this.#bufferSize,
      events: this.store.events,
      persisted: !!this.#log,
      firstIndex: (await this.store.events.lastIndex(run.run_id)) + 1,
      createdAt: run.created_at,
    });
    const stream = component.continueRun(run, req.resolution, this.#runOptions(live, {}));
    await this.#admit(live, async () => {
      // Owned before it runs again, so no sweep sees it running under the replica that paused it.
      if (this.#replicaId) await this.store.replicas.claim(run.run_id, this.#replicaId);
      const claimed = await this.store.runs.transition(run.run_id, "PAUSED", "RUNNING");
      if (!claimed) throw notPaused(run.run_id, (await this.store.runs.get(run.run_id))?.status);
    });
    void this.#execute(live, () => stream, req, true);
    return live;
  }

  /**
   * Cancels a run wherever it runs. Returns false when the run is not live here and the
   * bus was told instead (the intent reaches the process that runs it, or waits for it to start).
   */
  async cancel(runId: string, reason = "Run cancelled by request"): Promise<boolean> {
    const live = this.#live.get(runId);
    if (live && !live.ended) {
      live.cancel(reason);
      return true;
    }
    if (live) return false;
    await this.bus.publishCancel(runId, reason);
    return false;
  }

  /**
   * Cancels a paused run (it can no longer be continued) and closes its stream with RunCancelled and
   * RunCompleted. Returns the run as it ends, or undefined when it was no longer paused.
   */
  async cancelPaused(run: RunOutput, reason = "Run cancelled by request"): Promise<RunOutput | undefined> {
    if (!(await this.store.runs.transition(run.run_id, "PAUSED", "CANCELLED"))) return undefined;
    const ended: RunOutput = { ...run, status: "CANCELLED", error: reason, updated_at: nowSeconds() };
    delete ended.paused_state;
    await this.store.runs.save(ended);
    await this.#log?.flush();
    const first = (await this.store.events.lastIndex(run.run_id)) + 1;
    if (this.#log) await this.store.events.append(run.run_id, terminalEventsFor(ended, first));
    return ended;
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

  #checkAccepting(): void {
    if (!this.#accepting) throw new UnavailableError("The server is shutting down and accepts no new runs");
  }

  /**
   * Applies the session policy and registers the run, then runs `prepare` (storing it); on any refusal
   * the run is unregistered and nothing of it stays. The check of this process's runs and the
   * registration happen in one step, so two requests here can never both pass `reject`.
   */
  async #admit(live: LiveRun, prepare: () => Promise<void>): Promise<void> {
    const existing = this.#live.get(live.runId);
    if (existing && !existing.ended) throw new ConflictError(`Run '${live.runId}' is already running`);
    const policy = live.component.runPolicy.concurrentRuns;
    const local = this.forSession(live.sessionId).filter((r) => !r.ended);
    if (local.length && policy === "reject") throw busy(live.sessionId);
    this.#register(live);
    let entered = false;
    try {
      if (this.bus.enterSession) {
        // A shared bus: the check against other replicas and joining the line are one step in the bus.
        if (policy === "interrupt") await this.#interruptElsewhere(live, local);
        entered = await this.bus.enterSession(live.sessionId, live.runId, policy === "reject");
        if (!entered) throw busy(live.sessionId);
      } else if (policy !== "queue") {
        // Runs of the session in other processes (a shared bus), besides the ones known here.
        const known = new Set([live.runId, ...local.map((r) => r.runId)]);
        const elsewhere = (await this.bus.sessionRuns(live.sessionId)).filter((id) => !known.has(id));
        if (policy === "reject" && elsewhere.length) throw busy(live.sessionId);
        if (policy === "interrupt") {
          const reason = "Interrupted by a newer run on the same session";
          for (const r of local) r.cancel(reason);
          await Promise.all(elsewhere.map((id) => this.bus.publishCancel(id, reason)));
        }
      }
      await prepare();
    } catch (err) {
      this.#unregister(live);
      if (entered) await this.bus.leaveSession?.(live.sessionId, live.runId).catch(() => {});
      throw err;
    }
    const intent = this.#intents.take(live.runId);
    if (intent !== undefined) live.cancel(intent);
  }

  /** The interrupt policy: cancels the session's runs here and, through the bus, in other processes. */
  async #interruptElsewhere(live: LiveRun, local: LiveRun[]): Promise<void> {
    const reason = "Interrupted by a newer run on the same session";
    for (const r of local) r.cancel(reason);
    const known = new Set([live.runId, ...local.map((r) => r.runId)]);
    const elsewhere = (await this.bus.sessionRuns(live.sessionId)).filter((id) => !known.has(id));
    await Promise.all(elsewhere.map((id) => this.bus.publishCancel(id, reason)));
  }

  #runOptions(live: LiveRun, req: Partial<RunRequest>): RunOptions {
    return {
      runId: live.runId,
      sessionId: live.sessionId,
      userId: live.userId ?? undefined,
      sessionState: req.sessionState,
      metadata: req.metadata,
      dependencies: req.dependencies,
      signal: live.signal,
      store: this.#ownedStore,
      // What a run logs carries its ids.
      logger: this.#logger?.child({ run_id: live.runId, session_id: live.sessionId, user_id: live.userId }),
      ...(this.#observers.length ? { onNote: (note: RunNote) => this.#note(live, note) } : {}),
    };
  }

  #note(live: LiveRun, note: RunNote): void {
    const watches = this.#watches.get(live);
    if (watches) for (const w of watches) w.note?.(note);
  }

  async #execute(
    live: LiveRun,
    open: () => RunStream,
    req: { traceParent?: string; requestId?: string },
    continued: boolean,
  ): Promise<void> {
    let release: (() => void) | undefined;
    this.#observe(live, req, continued);
    try {
      release = await this.bus
        .acquireSession(live.sessionId, live.runId, live.signal)
        .catch((err: unknown) => {
          if (live.signal.aborted) return undefined;
          throw err;
        });
      if (live.signal.aborted) {
        await this.#cancelBeforeStart(live);
      } else {
        const stream = open();
        for await (const ev of stream) {
          this.#emit(live, ev);
          // A burst faster than the store: the run waits for the store (never for readers), so memory stays bounded.
          if (this.#log && this.#log.backlog > this.#maxBacklog) await this.#log.flush();
        }
        const output = await stream.output;
        // A paused run is continued from where its stored events end: store them before anyone can ask.
        if (output.status === "PAUSED") await this.#log?.flush();
        live.settle(output);
      }
    } catch (err) {
      await this.#failed(live, err);
    } finally {
      release?.();
      this.#leaveSession(live);
      this.#endWatches(live);
    }
    // Until its events are stored, a finished run is still served from memory to late subscribers.
    await this.#log?.flush();
    if (this.#live.get(live.runId) === live) this.#live.delete(live.runId);
  }

  #emit(live: LiveRun, ev: RunEvent): void {
    const pushed = live.push(ev);
    this.#log?.add(live.runId, pushed);
    this.bus.publishEvents?.(live.runId, [pushed]);
    const watches = this.#watches.get(live);
    if (watches) for (const w of watches) w.event(pushed);
  }

  #observe(live: LiveRun, req: { traceParent?: string; requestId?: string }, continued: boolean): void {
    if (!this.#observers.length) return;
    const watches: RunWatch[] = [];
    for (const o of this.#observers) {
      const w = o.runStarted({
        runId: live.runId,
        sessionId: live.sessionId,
        userId: live.userId,
        kind: live.kind,
        componentId: live.component.id,
        componentName: live.component.name,
        continued,
        ...(req.traceParent ? { traceParent: req.traceParent } : {}),
        ...(req.requestId ? { requestId: req.requestId } : {}),
      });
      if (w) watches.push(w);
    }
    if (watches.length) this.#watches.set(live, watches);
  }

  #endWatches(live: LiveRun): void {
    const watches = this.#watches.get(live);
    if (!watches) return;
    this.#watches.delete(live);
    const output = live.ended ? live.settledOutput : undefined;
    for (const w of watches) {
      try {
        w.end(output);
      } catch (err) {
        this.#logger?.error({ err, run_id: live.runId }, "a run observer failed");
      }
    }
  }

  #seed(live: LiveRun) {
    return { ...seedOf(live), ...(this.#replicaId ? { replica_id: this.#replicaId } : {}) };
  }

  /** A run cancelled while it waited for its turn: it is stored CANCELLED; the component is never called. */
  async #cancelBeforeStart(live: LiveRun): Promise<void> {
    const reason = cancelReason(live.signal);
    const stored = await this.store.runs.get(live.runId).catch(() => undefined);
    const run: RunOutput = { ...(stored ?? live.snapshot()), status: "CANCELLED", error: reason };
    run.updated_at = nowSeconds();
    delete run.paused_state;
    try {
      if (stored) await this.store.runs.save(run);
      else await this.store.runs.begin(run, this.#seed(live));
    } catch (err) {
      this.#logger?.error({ err, run_id: live.runId }, "could not store a run cancelled before it started");
    }
    for (const ev of terminalEventsFor(run, live.buffer.nextIndex)) this.#emit(live, ev);
    live.settle(run);
  }

  /** A run that threw instead of ending with its own terminal event. */
  async #failed(live: LiveRun, err: unknown): Promise<void> {
    if (live.buffer.nextIndex === live.firstIndex) {
      // Nothing was streamed: the caller answers with an ordinary error (404, 409, ...).
      live.fail(err);
      if (live.background || live.firstIndex > 0) await this.#storeFailure(live, err);
      return;
    }
    const last = live.buffer.last;
    if (last && isTerminalEvent(last, live.runId)) {
      live.settle((await this.store.runs.get(live.runId).catch(() => undefined)) ?? live.snapshot());
      return;
    }
    this.#logger?.error({ err, run_id: live.runId }, "run failed without a terminal event");
    const run = await this.#storeFailure(live, err);
    for (const ev of terminalEventsFor(run, live.buffer.nextIndex)) this.#emit(live, ev);
    live.settle(run);
  }

  async #storeFailure(live: LiveRun, err: unknown): Promise<RunOutput> {
    const run = (await this.store.runs.get(live.runId).catch(() => undefined)) ?? live.snapshot();
    run.status = "ERROR";
    run.error = errorMessage(err);
    run.content = run.content || live.contentSoFar;
    run.updated_at = nowSeconds();
    delete run.paused_state;
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

  #unregister(live: LiveRun): void {
    this.#leaveSession(live);
    if (this.#live.get(live.runId) === live) this.#live.delete(live.runId);
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

function busy(sessionId: string): ConflictError {
  return new ConflictError(`Session '${sessionId}' already has a run in progress`);
}

function notPaused(runId: string, status: string | undefined): ConflictError {
  return new ConflictError(`Run '${runId}' is not paused (status ${status ?? "unknown"})`);
}
