import { Agent } from "../agent/index.js";
import type { Media, RunInput } from "../run/index.js";
import { Team } from "../team/index.js";

/** What a function step, a predicate or a router's selector is given. */
export interface StepInput {
  /** The workflow's input: its message, or the JSON value its input schema accepted. */
  input: unknown;
  /** The output of the step that ran last before this one; undefined for the first. */
  previousOutput: unknown;
  /** Every output so far, by step name (a step that ran twice, in a loop, has its latest). */
  outputs: Readonly<Record<string, unknown>>;
  /** The session's state: changes are stored with the workflow run. */
  sessionState: Record<string, unknown>;
  /** Aborted when the workflow run is cancelled. */
  signal: AbortSignal;
  runId: string;
  sessionId: string;
  userId?: string;
  dependencies: Record<string, unknown>;
  media?: Media[];
  /** The name of the step being run. */
  stepName: string;
}

/** What a loop's `until` is given: the step input after an iteration, with that iteration's results. */
export interface LoopState extends StepInput {
  iteration: number;
  results: readonly StepResult[];
}

/**
 * A function step: returns its output (or a promise of it), or is an async generator whose
 * yielded strings stream as RunContent and whose output is its return value (or the text it yielded).
 */
export type StepFunction = (step: StepInput) => unknown;

export type StepKind = "agent" | "team" | "function" | "parallel" | "condition" | "loop" | "router";

interface StepCommon {
  /** Unique within the workflow: outputs and results are known by it. */
  name: string;
  description?: string;
  /** Attempts after the first when the step fails. Default 0. */
  retries?: number;
}

export interface AgentStep extends StepCommon {
  kind: "agent";
  agent: Agent;
  /** The agent's message; default: the workflow input, then the previous step's output. */
  input?: (step: StepInput) => string | RunInput;
}
export interface TeamStep extends StepCommon {
  kind: "team";
  team: Team;
  input?: (step: StepInput) => string | RunInput;
}
export interface FunctionStep extends StepCommon {
  kind: "function";
  run: StepFunction;
}
/** Runs its steps at the same time; its output is `{ [step name]: output }`. */
export interface ParallelStep extends StepCommon {
  kind: "parallel";
  steps: WorkflowStep[];
}
/** Runs `steps` when `when` holds, else `elseSteps` (if any). */
export interface ConditionStep extends StepCommon {
  kind: "condition";
  when: (step: StepInput) => boolean | Promise<boolean>;
  steps: WorkflowStep[];
  elseSteps?: WorkflowStep[];
}
/** Runs its steps again and again, until `until` holds or `maxIterations` (default 3). */
export interface LoopStep extends StepCommon {
  kind: "loop";
  steps: WorkflowStep[];
  until?: (state: LoopState) => boolean | Promise<boolean>;
  maxIterations: number;
}
/** Runs the choices `select` picks (by name or by step), in the order given. */
export interface RouterStep extends StepCommon {
  kind: "router";
  choices: WorkflowStep[];
  select: (step: StepInput) => StepChoice | StepChoice[] | Promise<StepChoice | StepChoice[]>;
}
export type StepChoice = string | WorkflowStep;

export type WorkflowStep =
  AgentStep | TeamStep | FunctionStep | ParallelStep | ConditionStep | LoopStep | RouterStep;

/** A step, or an agent or team as a step named after it. */
export type StepLike = WorkflowStep | Agent | Team;

/** How one step ended: stored on the workflow run (`step_results`) and sent with StepCompleted. */
export interface StepResult {
  step_name: string;
  step_id: string;
  step_index: number;
  step_type: StepKind;
  executor_type: "agent" | "team" | "function" | null;
  executor_id: string | null;
  executor_name: string | null;
  content: unknown;
  content_type: string;
  /** The nested run of an agent or team step (its last attempt). */
  step_run_id: string | null;
  success: boolean;
  error: string | null;
  /** True when a condition or router ran nothing. */
  skipped: boolean;
  attempts: number;
  /** Inside a loop: which iteration. */
  iteration?: number;
  metrics: { time: number };
  /** The results of a composite step's steps. */
  steps?: StepResult[];
}

type Common = Omit<StepCommon, "name"> & { name: string };

/** An agent, team or function step. */
export function step(
  def:
    | (Common & { agent: Agent; input?: AgentStep["input"] })
    | (Common & { team: Team; input?: TeamStep["input"] })
    | (Common & { run: StepFunction }),
): WorkflowStep {
  if ("agent" in def) return { ...def, kind: "agent" };
  if ("team" in def) return { ...def, kind: "team" };
  return { ...def, kind: "function" };
}

export function parallel(def: Common & { steps: StepLike[] }): ParallelStep {
  return { ...def, kind: "parallel", steps: def.steps.map(toStep) };
}

export function condition(
  def: Common & { when: ConditionStep["when"]; steps: StepLike[]; elseSteps?: StepLike[] },
): ConditionStep {
  const { elseSteps, ...rest } = def;
  return {
    ...rest,
    kind: "condition",
    steps: def.steps.map(toStep),
    ...(elseSteps ? { elseSteps: elseSteps.map(toStep) } : {}),
  };
}

export function loop(
  def: Common & { steps: StepLike[]; until?: LoopStep["until"]; maxIterations?: number },
): LoopStep {
  return { ...def, kind: "loop", steps: def.steps.map(toStep), maxIterations: def.maxIterations ?? 3 };
}

export function router(def: Common & { choices: StepLike[]; select: RouterStep["select"] }): RouterStep {
  return { ...def, kind: "router", choices: def.choices.map(toStep) };
}

/** An agent or team given as a step becomes a step named after it. */
export function toStep(s: StepLike): WorkflowStep {
  if (s instanceof Agent) return { kind: "agent", name: s.name, agent: s };
  if (s instanceof Team) return { kind: "team", name: s.name, team: s };
  return s;
}

/** A function step's function name; an inline `run: () => ...` is known by its step's name. */
export function functionName(s: FunctionStep): string {
  const name = s.run.name;
  return name && name !== "run" ? name : s.name;
}

/** The steps inside a composite step, in declaration order. */
export function childrenOf(s: WorkflowStep): WorkflowStep[] {
  switch (s.kind) {
    case "parallel":
    case "loop":
      return s.steps;
    case "condition":
      return [...s.steps, ...(s.elseSteps ?? [])];
    case "router":
      return s.choices;
    default:
      return [];
  }
}
