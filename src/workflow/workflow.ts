import { z } from "zod";
import { slugify } from "../agent/index.js";
import { ValidationError } from "../errors.js";
import type { ComponentInfo, RunInput, RunOptions, RunPolicy, Runnable, StepInfo } from "../run/index.js";
import { RunStream } from "../run/index.js";
import type { Store } from "../storage/index.js";
import type { StepLike, WorkflowStep } from "./steps.js";
import { childrenOf, functionName, toStep } from "./steps.js";
import { runWorkflow } from "./workflow-run.js";

export interface WorkflowOptions {
  /** Defaults to a slug of the name ("Content Workflow" -> "content-workflow"). */
  id?: string;
  name: string;
  description?: string;
  /** Run in order; each may be an agent, a team, a function, or a parallel, condition, loop or router of steps. */
  steps: StepLike[];
  /**
   * The input a run takes (JSON). Without it the input is the run's message as given. A message
   * that is a JSON text is parsed when the schema does not accept it as a string.
   */
  inputSchema?: z.ZodType;
  /** Where workflow runs, step runs and sessions are kept; an AgentOS gives its own db to workflows without one. */
  db?: Store;
  /** The initial state of each new session. */
  sessionState?: Record<string, unknown>;
  concurrentRuns?: RunPolicy["concurrentRuns"];
  onDisconnect?: RunPolicy["onDisconnect"];
  metadata?: Record<string, unknown>;
}

/**
 * A workflow: steps run in order, nestable. Constructing one checks the step tree (unique names,
 * sensible limits) and keeps it; nothing runs and no schema is compiled until it is used.
 */
export class Workflow implements Runnable {
  readonly kind = "workflow" as const;
  readonly options: WorkflowOptions;
  readonly steps: readonly WorkflowStep[];
  #id?: string;

  constructor(options: WorkflowOptions) {
    if (!options.steps?.length) throw new TypeError(`Workflow '${options.name}' needs at least one step`);
    this.options = options;
    this.steps = options.steps.map(toStep);
    checkSteps(options.name, this.steps, new Set());
  }

  get id(): string {
    return (this.#id ??= this.options.id ?? slugify(this.options.name));
  }
  get name(): string {
    return this.options.name;
  }
  get db(): Store | undefined {
    return this.options.db;
  }
  get runPolicy(): RunPolicy {
    return {
      concurrentRuns: this.options.concurrentRuns ?? "queue",
      onDisconnect: this.options.onDisconnect ?? "continue",
    };
  }

  /** Runs the workflow: iterate the stream for events (steps' included), or `await workflow.run(input).collect()`. */
  run(input: string | RunInput, options: RunOptions = {}): RunStream {
    return new RunStream(runWorkflow(this, typeof input === "string" ? { message: input } : input, options));
  }

  /** The input as the steps see it; a ValidationError (locations under "input") when the schema refuses it. */
  parseInput(message: unknown): unknown {
    const schema = this.options.inputSchema;
    if (!schema) return message;
    let result = schema.safeParse(message);
    if (!result.success && typeof message === "string") {
      const json = parseJsonText(message);
      if (json !== undefined) {
        const again = schema.safeParse(json.value);
        if (again.success) return again.data;
        result = again;
      }
    }
    if (result.success) return result.data;
    const issues = result.error.issues.map((i) => ({
      loc: ["input", ...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
      msg: i.message,
      type: i.code,
    }));
    throw new ValidationError(
      `Invalid workflow input: ${issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; ")}`,
      issues,
    );
  }

  validateInput(message: unknown): void {
    this.parseInput(message);
  }

  info(): ComponentInfo {
    const o = this.options;
    return {
      kind: "workflow",
      id: this.id,
      name: this.name,
      description: o.description ?? null,
      model: null,
      tools: [],
      toolNames: [],
      instructions: null,
      hasKnowledge: false,
      hasMemory: false,
      dbId: o.db?.id ?? null,
      steps: this.steps.map(stepInfo),
      settings: {
        input_schema: o.inputSchema ? inputJsonSchema(o.inputSchema) : null,
        concurrent_runs: this.runPolicy.concurrentRuns,
        on_disconnect: this.runPolicy.onDisconnect,
      },
    };
  }
}

function parseJsonText(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

function inputJsonSchema(schema: z.ZodType): unknown {
  const { $schema: _drop, ...json } = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
  return json;
}

function stepInfo(s: WorkflowStep): StepInfo {
  const children = childrenOf(s);
  return {
    name: s.name,
    kind: s.kind,
    ...(s.kind === "agent" ? { ref: s.agent.id } : {}),
    ...(s.kind === "team" ? { ref: s.team.id } : {}),
    ...(s.kind === "function" ? { ref: functionName(s) } : {}),
    ...(children.length ? { steps: children.map(stepInfo) } : {}),
  };
}

/** Names are unique across the tree and limits make sense; a mistake is the developer's, at construction. */
function checkSteps(workflow: string, steps: readonly WorkflowStep[], names: Set<string>): void {
  for (const s of steps) {
    const where = `Workflow '${workflow}', step '${s.name}'`;
    if (!s.name) throw new TypeError(`Workflow '${workflow}': every step needs a name`);
    if (names.has(s.name)) throw new TypeError(`Workflow '${workflow}' has two steps named '${s.name}'`);
    names.add(s.name);
    if (s.retries !== undefined && (!Number.isInteger(s.retries) || s.retries < 0))
      throw new TypeError(`${where}: retries must be a non-negative integer`);
    if (s.kind === "loop" && (!Number.isInteger(s.maxIterations) || s.maxIterations < 1))
      throw new TypeError(`${where}: maxIterations must be a positive integer`);
    if ((s.kind === "parallel" || s.kind === "loop" || s.kind === "condition") && s.steps.length === 0)
      throw new TypeError(`${where}: needs at least one step`);
    if (s.kind === "router" && s.choices.length === 0)
      throw new TypeError(`${where}: needs at least one choice`);
    checkSteps(workflow, childrenOf(s), names);
  }
}
