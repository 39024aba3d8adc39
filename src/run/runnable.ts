import type { Logger } from "pino";
import type { ComponentKind } from "./events.js";
import type { WorkflowContext } from "./event-factory.js";
import type { Media } from "./media.js";
import type { RunOutput } from "./output.js";
import type { RunStream } from "./run-stream.js";
import type { Store } from "../storage/store.js";

/** What a run is asked. A bare string is a text message. */
export interface RunInput {
  message: unknown;
  media?: Media[];
}

/** The run a nested run belongs to (a team member's or a workflow step's). */
export interface ParentRun {
  runId: string;
  nestedDepth: number;
  workflow?: WorkflowContext;
}

/**
 * Something a run did that is no event of its stream but that observers (tracing) want to know of:
 * never sent to clients nor stored. Times are performance.now().
 */
export interface RunNote {
  /** The automatic knowledge lookup before the first model request (`addKnowledgeToContext`). */
  event: "KnowledgeLookup";
  run_id: string;
  started: number;
  ended: number;
  /** Passages found. */
  results: number;
  /** Why the lookup failed, when it did. */
  error?: string;
}

export interface RunOptions {
  runId?: string;
  /** Absent: a new session. */
  sessionId?: string;
  userId?: string;
  /** Merged over the session's stored state for this run. */
  sessionState?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  /** Aborting it cancels the run: model requests and tools stop within a second. */
  signal?: AbortSignal;
  /** Where the run is kept when the component has no db of its own. */
  store?: Store;
  parent?: ParentRun;
  logger?: Logger;
  /** Told of what the run does besides its events (nested runs tell it too). */
  onNote?: (note: RunNote) => void;
}

/** A paused tool call as the caller sends it back: its id and the resolution. Other keys are ignored. */
export interface ToolResolution {
  tool_call_id: string;
  /** For a tool that requires confirmation: true runs it, false tells the model it was rejected. */
  confirmed?: boolean | null;
  confirmation_note?: string | null;
  /** For a tool that requires user input: the fields of the paused call's schema, with their values. */
  user_input_schema?: { name: string; value: unknown }[] | null;
  /** For an externally executed tool: its result (text, or any JSON value). */
  result?: unknown;
}

/** What the caller decided for a paused run. */
export interface RunResolution {
  tools: ToolResolution[];
}

/** How an OS treats a component's runs. */
export interface RunPolicy {
  /** A second run on a session that has a live run: wait, refuse (409) or cancel the first. */
  concurrentRuns: "queue" | "reject" | "interrupt";
  /** A streaming client that disconnects: the run goes on, or is cancelled. */
  onDisconnect: "continue" | "cancel";
}

export const DEFAULT_RUN_POLICY: RunPolicy = { concurrentRuns: "queue", onDisconnect: "continue" };

/** A description of a component for listings; serializers shape it per surface. */
export interface ComponentInfo {
  kind: ComponentKind;
  id: string;
  name: string;
  description: string | null;
  /** "provider:model_id", or null for workflows. */
  model: string | null;
  tools: { name: string; description: string; parameters: unknown }[];
  /** Tool and toolkit names as listed. */
  toolNames: string[];
  instructions: string | null;
  hasKnowledge: boolean;
  hasMemory: boolean;
  dbId: string | null;
  settings: Record<string, unknown>;
  members?: { id: string; name: string; kind: ComponentKind }[];
  mode?: string;
  steps?: StepInfo[];
}

/** A workflow step as listed: its kind, what it runs (agent, team or function name) and any nested steps. */
export interface StepInfo {
  name: string;
  kind: string;
  ref?: string;
  steps?: StepInfo[];
}

/** An agent, team or workflow: anything an OS can run. */
export interface Runnable {
  readonly kind: ComponentKind;
  readonly id: string;
  readonly name: string;
  readonly runPolicy: RunPolicy;
  run(input: string | RunInput, options?: RunOptions): RunStream;
  /**
   * Continues a paused run with the caller's resolution. Checks the resolution when called (a bad one
   * throws a ValidationError or BadRequestError) and runs when the stream is iterated. Components that
   * never pause leave it out.
   */
  continueRun?(paused: RunOutput, resolution: RunResolution, options?: RunOptions): RunStream;
  info(): ComponentInfo;
  /** Throws a ValidationError (locations under "input") when the component cannot take this input; called before anything is stored. */
  validateInput?(message: unknown): void;
}
