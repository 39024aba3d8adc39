import type { Logger } from "pino";
import { newId } from "../ids.js";
import type { Store } from "../storage/store.js";
import { RunCancelledError } from "./cancel.js";
import type { EventChannel } from "./event-channel.js";
import type { WorkflowContext } from "./event-factory.js";
import type { RunEvent } from "./events.js";
import type { RunMetrics } from "./metrics.js";
import { addMetrics } from "./metrics.js";
import { nowSeconds } from "./message.js";
import type { RunOutput } from "./output.js";
import type { RunInput, RunOptions, Runnable } from "./runnable.js";

export interface NestedRunsInit {
  /** The run they run for: their parent_run_id, session and user. */
  parentRunId: string;
  sessionId: string;
  userId?: string;
  /** nested_depth of the parent run. */
  depth: number;
  workflow?: WorkflowContext;
  store?: Store;
  logger?: Logger;
  onNote?: RunOptions["onNote"];
  dependencies?: Record<string, unknown>;
  /** The parent's session state: nested runs start from it and their changes are merged back. */
  sessionState: Record<string, unknown>;
  /** The parent's metrics: nested runs' tokens are added in. */
  metrics: RunMetrics;
  /** Aborted when the parent is cancelled or fails. */
  signal: AbortSignal;
  /** Where the events of runs started with `run()` go, to be interleaved in the parent's stream. */
  channel?: EventChannel;
}

const LABEL = { agent: "Agent", team: "Team", workflow: "Workflow" } as const;
const PAUSE = new Set(["RunPaused", "TeamRunPaused", "WorkflowPaused"]);

export interface NestedRunExtra {
  /** The nested run's id (default: a new one). */
  runId?: string;
  /** The tool call that started it, to link the call to the run. */
  toolCallId?: string;
  /** Where it sits in a workflow (default: where the parent sits). */
  workflow?: WorkflowContext;
}

/** A nested run that ended in error (a team leader sees the message as a tool error). */
export class NestedRunError extends Error {
  constructor(
    readonly member: Runnable,
    readonly output: RunOutput,
  ) {
    super(`${LABEL[member.kind]} '${member.id}' failed: ${output.error ?? "unknown error"}`);
    this.name = "NestedRunError";
  }
}

/**
 * The nested runs of one parent run (a team's members, a workflow's agent and team steps): each
 * runs with the parent's session, signal and store, its events go to the parent's channel, and
 * its output is kept, in the order the runs started.
 */
export class NestedRuns {
  readonly #init: NestedRunsInit;
  readonly #outputs: (RunOutput | undefined)[] = [];
  readonly #live = new Set<Promise<unknown>>();
  /** The nested run started for a tool call, by tool call id. */
  readonly childRuns = new Map<string, string>();

  constructor(init: NestedRunsInit) {
    this.#init = init;
  }

  /** Outputs of the nested runs that have ended, in the order they started. */
  get outputs(): RunOutput[] {
    return this.#outputs.filter((o): o is RunOutput => o !== undefined);
  }

  /**
   * Runs `member` (an agent, team or workflow) to its end in the background, its events going to the channel. Resolves with
   * its output when it completed; rejects with a NestedRunError when it failed and with the
   * cancel reason when it was cancelled.
   */
  async run(member: Runnable, input: RunInput, extra: NestedRunExtra = {}): Promise<RunOutput> {
    const channel = this.#init.channel;
    if (!channel)
      throw new Error("NestedRuns.run needs a channel; use stream() to consume the events yourself");
    const work = channel.pump(this.stream(member, input, extra));
    this.#live.add(work);
    try {
      return await work;
    } finally {
      this.#live.delete(work);
    }
  }

  /** Runs `member` to its end, yielding its events; returns and throws as `run()` does. */
  async *stream(
    member: Runnable,
    input: RunInput,
    extra: NestedRunExtra = {},
  ): AsyncGenerator<RunEvent, RunOutput> {
    const init = this.#init;
    init.signal.throwIfAborted(); // a parent that is ending starts no new runs
    const runId = extra.runId ?? newId();
    if (extra.toolCallId) this.childRuns.set(extra.toolCallId, runId);
    const slot = this.#outputs.push(undefined) - 1;
    const stream = member.run(input, {
      runId,
      sessionId: init.sessionId,
      userId: init.userId,
      sessionState: { ...init.sessionState },
      dependencies: init.dependencies,
      signal: init.signal,
      store: init.store,
      logger: init.logger,
      onNote: init.onNote,
      parent: {
        runId: init.parentRunId,
        nestedDepth: init.depth + 1,
        workflow: extra.workflow ?? init.workflow,
      },
    });
    let pause: RunEvent | undefined;
    for await (const ev of stream) {
      // A member cannot wait for a person; its pause is reported as the error it becomes below.
      if (ev.run_id === runId && PAUSE.has(ev.event)) pause = ev;
      else yield ev;
    }
    let output = await stream.output;
    if (output.status === "PAUSED") {
      output = await this.#refusePause(output);
      if (pause)
        yield { ...pause, event: pause.event.replace("Paused", "Error"), content: output.error } as RunEvent;
    }
    this.#outputs[slot] = output;
    addMetrics(init.metrics, output.metrics);
    if (output.status === "COMPLETED" && output.session_state)
      Object.assign(init.sessionState, output.session_state);
    if (output.status === "ERROR") throw new NestedRunError(member, output);
    if (output.status === "CANCELLED")
      throw init.signal.aborted ? init.signal.reason : new RunCancelledError(output.error ?? undefined);
    return output;
  }

  /**
   * Human-in-the-loop pauses only top-level runs: a nested run that asks for a person ends ERROR
   * (stored so), and its parent goes on as it does after any failed member or step.
   */
  async #refusePause(output: RunOutput): Promise<RunOutput> {
    const waiting = (output.tools ?? []).filter((t) => t.result === null).map((t) => t.tool_name);
    const error = `paused for human input (${waiting.join(", ") || "a tool"}), which runs inside a team or workflow do not support`;
    const ended: RunOutput = { ...output, status: "ERROR", error, updated_at: nowSeconds() };
    delete ended.paused_state;
    const store = this.#init.store;
    if (store && (await store.runs.transition(output.run_id, "PAUSED", "ERROR")))
      await store.runs.save(ended);
    return ended;
  }

  /** Resolves when every run started with `run()` has ended. */
  async settled(): Promise<void> {
    while (this.#live.size) await Promise.allSettled([...this.#live]);
  }
}

/**
 * Nested runs are kept in their parent's store (their session lives there): a member or step
 * with a db of its own must use the same one. Checked before the parent run stores anything.
 */
export function checkNestedStores(
  parent: string,
  store: Store | undefined,
  nested: Iterable<{ id: string; db?: Store }>,
): void {
  for (const n of nested)
    if (n.db && store && n.db !== store)
      throw new TypeError(`${parent}: '${n.id}' keeps its runs in another db; give it none or the same one`);
}
