import type { ComponentKind, RunEvent, RunInput, RunOutput, RunStatus, Runnable } from "../run/index.js";
import { emptyMetrics, isTerminalEvent, nowSeconds, RunCancelledError } from "../run/index.js";
import type { RunEventStore } from "../storage/index.js";
import { EventBuffer } from "./event-buffer.js";

export interface LiveRunInit {
  runId: string;
  sessionId: string;
  userId: string | null;
  component: Runnable;
  input: RunInput;
  background: boolean;
  bufferSize: number;
  events: RunEventStore;
  /** Whether the events are stored (late readers find them there). Default true. */
  persisted?: boolean;
  /** A continued run's stream goes on from the index after its pause. Default 0. */
  firstIndex?: number;
  /** Epoch seconds; a continued run keeps its own. */
  createdAt?: number;
}

/** At most this many events go to a reader at once, so that one write stays small. */
const MAX_BATCH = 500;

/** A run in progress in this process: its cancel switch, its recent events and its outcome. */
export class LiveRun {
  readonly runId: string;
  readonly sessionId: string;
  readonly userId: string | null;
  readonly component: Runnable;
  readonly input: RunInput;
  readonly background: boolean;
  readonly controller = new AbortController();
  readonly buffer: EventBuffer;
  readonly output: Promise<RunOutput>;
  /** Resolves with the first event; rejects if the run failed before producing any (an ordinary error response). */
  readonly started: Promise<void>;
  /** The index of this live run's first event (after a pause, where the continued stream resumes). */
  readonly firstIndex: number;
  status: RunStatus = "PENDING";
  contentSoFar = "";
  readonly createdAt: number;
  readonly #events: RunEventStore;
  #resolveOutput!: (o: RunOutput) => void;
  #rejectOutput!: (e: unknown) => void;
  #resolveStarted!: () => void;
  #rejectStarted!: (e: unknown) => void;

  constructor(init: LiveRunInit) {
    this.runId = init.runId;
    this.sessionId = init.sessionId;
    this.userId = init.userId;
    this.component = init.component;
    this.input = init.input;
    this.background = init.background;
    this.firstIndex = init.firstIndex ?? 0;
    this.createdAt = init.createdAt ?? nowSeconds();
    this.buffer = new EventBuffer(init.bufferSize, this.firstIndex, init.persisted ?? true);
    this.#events = init.events;
    this.output = new Promise((res, rej) => ((this.#resolveOutput = res), (this.#rejectOutput = rej)));
    this.started = new Promise((res, rej) => ((this.#resolveStarted = res), (this.#rejectStarted = rej)));
    this.output.catch(() => {});
    this.started.catch(() => {});
  }

  get kind(): ComponentKind {
    return this.component.kind;
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  /** True once the run produced its terminal event (or failed): nothing more will be pushed. */
  get ended(): boolean {
    return this.buffer.closed;
  }

  cancel(reason = "Run cancelled"): void {
    if (!this.controller.signal.aborted) this.controller.abort(new RunCancelledError(reason));
  }

  /** The run as it stands, for a run that has no stored row yet (queued) or to overlay live progress. */
  snapshot(): RunOutput {
    const now = nowSeconds();
    const kind = this.kind;
    const c = this.component;
    return {
      run_id: this.runId,
      session_id: this.sessionId,
      user_id: this.userId,
      parent_run_id: null,
      component_kind: kind,
      ...(kind === "agent" ? { agent_id: c.id, agent_name: c.name } : {}),
      ...(kind === "team" ? { team_id: c.id, team_name: c.name } : {}),
      ...(kind === "workflow" ? { workflow_id: c.id, workflow_name: c.name } : {}),
      status: this.status,
      input: {
        input_content: this.input.message,
        ...(this.input.media?.length ? { media: this.input.media } : {}),
      },
      content: this.contentSoFar,
      content_type: "str",
      messages: [],
      tools: [],
      metrics: emptyMetrics(),
      model: null,
      model_provider: null,
      session_state: null,
      metadata: null,
      error: null,
      created_at: this.createdAt,
      updated_at: now,
    };
  }

  /**
   * @internal the RunManager feeds the component's events in. Each gets the next index of this
   * stream, whatever the component numbered it, so ids stay unique and increasing. Returns the event as pushed.
   */
  push(ev: RunEvent): RunEvent {
    const index = this.buffer.nextIndex;
    if (ev.event_index !== index) ev = { ...ev, event_index: index } as RunEvent;
    if (index === this.firstIndex) {
      this.status = "RUNNING";
      this.#resolveStarted();
    }
    if (
      ev.run_id === this.runId &&
      (ev.event === "RunContent" || ev.event === "TeamRunContent") &&
      typeof ev.content === "string"
    ) {
      this.contentSoFar += ev.content;
    }
    this.buffer.push(ev);
    return ev;
  }

  /** The output the run ended with; undefined while it runs or when it failed before streaming. */
  settledOutput: RunOutput | undefined;

  /** @internal */
  settle(output: RunOutput): void {
    this.settledOutput = output;
    this.status = output.status;
    this.buffer.close();
    this.#resolveStarted();
    this.#resolveOutput(output);
  }

  /** @internal the run failed before its first event. */
  fail(err: unknown): void {
    this.status = "ERROR";
    this.buffer.close();
    this.#rejectStarted(err);
    this.#rejectOutput(err);
  }

  /**
   * The events after `afterIndex`, in batches, then live ones as they come, until the terminal event.
   * Events no longer in memory (or from before a pause) are read from the event store. Ends early
   * when `signal` aborts (the reader left), so an abandoned reader holds nothing while the run is quiet.
   */
  async *subscribe(afterIndex = -1, signal?: AbortSignal): AsyncGenerator<RunEvent[]> {
    let next = afterIndex + 1;
    const left = signal && abortedPromise(signal);
    for (;;) {
      if (signal?.aborted) return;
      if (next < this.buffer.firstIndex) {
        const upTo = this.buffer.firstIndex;
        const stored = (await this.#events.list(this.runId, next - 1)).filter((e) => e.event_index < upTo);
        for (let i = 0; i < stored.length; i += MAX_BATCH) yield stored.slice(i, i + MAX_BATCH);
        next = upTo;
      }
      const batch = this.buffer.from(next, MAX_BATCH);
      if (batch.length) {
        next = batch[batch.length - 1].event_index + 1;
        yield batch;
        if (isTerminalEvent(batch[batch.length - 1], this.runId)) return;
        continue;
      }
      if (this.buffer.closed) return;
      await (left ? Promise.race([this.buffer.changed(), left]) : this.buffer.changed());
    }
  }
}

function abortedPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
