import type { LanguageModelV3 } from "@ai-sdk/provider";
import { instructionsText, slugify, toolDescriptions } from "../agent/index.js";
import { describeModel } from "../model/spec.js";
import { resolveModel } from "../model/router.js";
import type { ComponentInfo, RunInput, RunOptions, RunPolicy, Runnable } from "../run/index.js";
import { RunStream } from "../run/index.js";
import type { Store } from "../storage/index.js";
import type { Tool } from "../tool/index.js";
import { flattenTools } from "../tool/index.js";
import type { TeamMember, TeamMode, TeamOptions } from "./team-options.js";
import { TEAM_MODES } from "./team-options.js";
import { runTeam } from "./team-run.js";

/**
 * A team: a leader model and members (agents or teams) working in one of four modes.
 * Constructing one checks the definition and keeps the options; nothing is resolved until it runs.
 */
export class Team implements Runnable {
  readonly kind = "team" as const;
  readonly options: TeamOptions;
  #id?: string;
  #lazy?: { model?: LanguageModelV3; tools?: Tool[]; modeTools?: Map<string, Tool> };

  constructor(options: TeamOptions) {
    const mode = options.mode ?? "coordinate";
    if (!TEAM_MODES.includes(mode))
      throw new TypeError(`Team '${options.name}': mode must be one of ${TEAM_MODES.join(", ")}`);
    if (!options.members?.length) throw new TypeError(`Team '${options.name}' needs at least one member`);
    const seen = new Set<string>();
    for (const m of options.members) {
      if (seen.has(m.id)) throw new TypeError(`Team '${options.name}' has two members with the id '${m.id}'`);
      seen.add(m.id);
    }
    const max = options.maxIterations;
    if (max !== undefined && (!Number.isInteger(max) || max < 1))
      throw new TypeError(`Team '${options.name}': maxIterations must be a positive integer`);
    this.options = options;
  }

  get id(): string {
    return (this.#id ??= this.options.id ?? slugify(this.options.name));
  }
  get name(): string {
    return this.options.name;
  }
  get mode(): TeamMode {
    return this.options.mode ?? "coordinate";
  }
  get members(): readonly TeamMember[] {
    return this.options.members;
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

  /** Runs the team: iterate the stream for events (members' included), or `await team.run(msg).collect()`. */
  run(input: string | RunInput, options: RunOptions = {}): RunStream {
    return new RunStream(runTeam(this, typeof input === "string" ? { message: input } : input, options));
  }

  /** The leader's model, resolved from a "provider:model" string on first use. */
  resolvedModel(): LanguageModelV3 {
    const lazy = (this.#lazy ??= {});
    return (lazy.model ??= resolveModel(this.options.model));
  }

  modelName(): { id: string; provider: string; spec: string } {
    return describeModel(this.resolvedModel());
  }

  /** The leader's own tools (its mode adds delegation or task tools at run time). */
  tools(): Tool[] {
    const lazy = (this.#lazy ??= {});
    return (lazy.tools ??= flattenTools(this.options.tools ?? []));
  }

  /** @internal A tool of the team's mode, made once: a run binds its own `execute` to it. */
  modeTool(name: string, make: () => Tool): Tool {
    const cache = ((this.#lazy ??= {}).modeTools ??= new Map());
    let template = cache.get(name);
    if (!template) cache.set(name, (template = make()));
    return template;
  }

  info(): ComponentInfo {
    const o = this.options;
    const tools = this.tools();
    return {
      kind: "team",
      id: this.id,
      name: this.name,
      description: o.description ?? null,
      model: this.modelName().spec,
      tools: toolDescriptions(tools),
      toolNames: (o.tools ?? []).map((t) => t.name),
      instructions: instructionsText(o.instructions),
      hasKnowledge: false,
      hasMemory: false,
      dbId: o.db?.id ?? null,
      members: this.members.map((m) => ({ id: m.id, name: m.name, kind: m.kind })),
      mode: this.mode,
      settings: {
        mode: this.mode,
        max_iterations: o.maxIterations ?? 10,
        add_history_to_context: o.addHistoryToContext ?? false,
        num_history_runs: o.numHistoryRuns ?? 3,
        tool_call_limit: o.toolCallLimit ?? null,
        max_model_requests: o.maxModelRequests ?? 20,
        concurrent_runs: this.runPolicy.concurrentRuns,
        on_disconnect: this.runPolicy.onDisconnect,
      },
    };
  }
}
