/**
 * What live runs share between processes. The in-process bus is the default; a Redis bus
 * carries the same calls between replicas, so callers cannot tell which one they have.
 */
import type { RunEvent } from "../run/index.js";

export interface RunBus {
  /** Connects, when the bus reaches other processes (called by AgentOS at start, never at construction). */
  start?(): Promise<void>;
  /** Throws when the bus's service cannot be reached (for /health). */
  ping?(): Promise<void>;
  /** Asks whichever process runs `runId` to cancel it. */
  publishCancel(runId: string, reason: string): Promise<void>;
  /** Subscribes to cancel requests; returns the unsubscribe function. */
  onCancel(handler: (runId: string, reason: string) => void): () => void;
  /**
   * Waits for this run's turn on the session (runs of one session never overlap) and returns the
   * function that ends the turn. If the signal aborts while it waits, it resolves at once (leaving
   * the line): the run then only records its cancellation.
   */
  acquireSession(sessionId: string, runId: string, signal: AbortSignal): Promise<() => void>;
  /** Runs that hold or wait for the session's turn, oldest first (the session policies consult it). */
  sessionRuns(sessionId: string): Promise<string[]>;
  /**
   * A shared bus: puts the run in the session's line at once, in one atomic step with the check;
   * `exclusive` (the reject policy) enters only an empty line and returns false otherwise.
   */
  enterSession?(sessionId: string, runId: string, exclusive: boolean): Promise<boolean>;
  /** Takes a run out of the session's line (it was refused before it started). */
  leaveSession?(sessionId: string, runId: string): Promise<void>;
  /** A shared bus: makes a live run's events readable by other processes. */
  publishEvents?(runId: string, events: RunEvent[]): void;
  /** A shared bus: events of `runId` after `afterIndex` published by any process, waiting briefly for some. */
  follow?(runId: string, afterIndex: number, signal?: AbortSignal): Promise<RunEvent[]>;
  close(): Promise<void>;
}

/** The bus of one process: cancel requests are local calls, session turns a queue per session. */
export class LocalRunBus implements RunBus {
  #cancelHandlers = new Set<(runId: string, reason: string) => void>();
  #queues = new Map<string, { runId: string; start: () => void }[]>();

  async publishCancel(runId: string, reason: string): Promise<void> {
    for (const h of this.#cancelHandlers) h(runId, reason);
  }

  onCancel(handler: (runId: string, reason: string) => void): () => void {
    this.#cancelHandlers.add(handler);
    return () => this.#cancelHandlers.delete(handler);
  }

  acquireSession(sessionId: string, runId: string, signal: AbortSignal): Promise<() => void> {
    const queue = this.#queues.get(sessionId) ?? [];
    this.#queues.set(sessionId, queue);
    return new Promise((resolve) => {
      const entry = { runId, start: () => {} };
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const i = queue.indexOf(entry);
        if (i >= 0) queue.splice(i, 1);
        if (queue.length === 0) this.#queues.delete(sessionId);
        else if (i === 0) queue[0].start();
      };
      entry.start = () => {
        signal.removeEventListener("abort", onAbort);
        resolve(release);
      };
      // A run cancelled while queued starts at once: it only records its cancellation, never the model.
      const onAbort = () => entry.start();
      queue.push(entry);
      if (queue.length === 1) entry.start();
      else if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  async sessionRuns(sessionId: string): Promise<string[]> {
    return (this.#queues.get(sessionId) ?? []).map((e) => e.runId);
  }

  async close(): Promise<void> {
    this.#cancelHandlers.clear();
  }
}
