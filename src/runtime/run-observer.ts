import type { ComponentKind, RunEvent, RunNote, RunOutput } from "../run/index.js";

/** What an observer learns of a run as it starts executing here. */
export interface ObservedRun {
  runId: string;
  sessionId: string;
  userId: string | null;
  kind: ComponentKind;
  componentId: string;
  componentName: string;
  /** A continued run (after a pause), not a new one. */
  continued: boolean;
  /** The id of the HTTP request that started it, for logs. */
  requestId?: string;
  /** The caller's W3C traceparent header, when it sent one. */
  traceParent?: string;
}

/** Watches one run's stream: every event as it leaves the run, then the end. */
export interface RunWatch {
  event(ev: RunEvent): void;
  /** What the run (or a run nested in it) did besides its events. */
  note?(note: RunNote): void;
  /** Called once, after the last event; `output` is absent when the run failed before streaming. */
  end(output: RunOutput | undefined): void;
}

/**
 * Sees every run a RunManager executes (telemetry hangs off this, so the runtime knows nothing
 * of tracing or metrics). Returning undefined skips the run.
 */
export interface RunObserver {
  runStarted(run: ObservedRun): RunWatch | undefined;
}
