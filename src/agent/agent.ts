import type { JSONSchema7, LanguageModelV3 } from "@ai-sdk/provider";
import type {
  ComponentInfo,
  RunInput,
  RunOptions,
  RunOutput,
  RunPolicy,
  RunResolution,
  Runnable,
} from "../run/index.js";
import { RunStream } from "../run/index.js";
import { describeModel } from "../model/spec.js";
import { resolveModel } from "../model/router.js";
import type { Knowledge } from "../knowledge/index.js";
import type { Store } from "../storage/index.js";
import type { Tool } from "../tool/index.js";
import { flattenTools } from "../tool/index.js";
import type { AgentOptions } from "./agent-options.js";
import { continueAgent } from "./agent-continue.js";
import { instructionsText, toolDescriptions } from "./component-info.js";
import { runAgent } from "./agent-run.js";
import { slugify } from "./slug.js";
import { responseSchema } from "./structured-output.js";
import { resolvePausedTools } from "./tool-resolution.js";

/**
 * An agent: a model, instructions and tools. Constructing one only keeps the options;
 * the model, tool schemas and output schema are resolved on first use and cached.
 */
export class Agent implements Runnable {
  readonly kind = "agent" as const;
  readonly options: AgentOptions;
  #id?: string;
  #lazy?: {
    model?: LanguageModelV3;
    memoryModel?: LanguageModelV3;
    tools?: Tool[];
    responseFormat?: { schema: JSONSchema7; name: string };
  };

  constructor(options: AgentOptions) {
    this.options = options;
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
  get knowledge(): Knowledge | undefined {
    return this.options.knowledge;
  }
  /** Whether any memory feature (user memories, agentic memory, session summaries) is on. */
  get hasMemory(): boolean {
    const o = this.options;
    return !!(o.enableUserMemories || o.enableAgenticMemory || o.enableSessionSummaries);
  }
  get runPolicy(): RunPolicy {
    return {
      concurrentRuns: this.options.concurrentRuns ?? "queue",
      onDisconnect: this.options.onDisconnect ?? "continue",
    };
  }

  /** Runs the agent: iterate the stream for events, or `await agent.run(msg).collect()` for the output. */
  run(input: string | RunInput, options: RunOptions = {}): RunStream {
    return new RunStream(runAgent(this, typeof input === "string" ? { message: input } : input, options));
  }

  /**
   * Continues a run that paused for tools needing the user: `resolution.tools` are the paused
   * tool calls with `confirmed`, `user_input_schema` values or an external `result` filled in.
   * Throws at once (400/422) when the resolution does not fit the paused calls.
   */
  continueRun(paused: RunOutput, resolution: RunResolution, options: RunOptions = {}): RunStream {
    const resolved = resolvePausedTools(
      paused,
      resolution.tools,
      new Map(this.tools().map((t) => [t.name, t])),
    );
    return new RunStream(continueAgent(this, paused, resolved, options));
  }

  /** The model object, resolved from a "provider:model" string on first use. */
  resolvedModel(): LanguageModelV3 {
    const lazy = (this.#lazy ??= {});
    return (lazy.model ??= resolveModel(this.options.model));
  }

  /** The model for memory extraction and summaries: `memoryModel`, else the agent's model. */
  memoryModel(): LanguageModelV3 {
    const lazy = (this.#lazy ??= {});
    return (lazy.memoryModel ??= this.options.memoryModel
      ? resolveModel(this.options.memoryModel)
      : this.resolvedModel());
  }

  modelName(): { id: string; provider: string; spec: string } {
    return describeModel(this.resolvedModel());
  }

  tools(): Tool[] {
    const lazy = (this.#lazy ??= {});
    return (lazy.tools ??= flattenTools(this.options.tools ?? []));
  }

  responseFormat(): { schema: JSONSchema7; name: string } | undefined {
    if (!this.options.outputSchema) return undefined;
    const lazy = (this.#lazy ??= {});
    return (lazy.responseFormat ??= { schema: responseSchema(this.options.outputSchema), name: "output" });
  }

  info(): ComponentInfo {
    const o = this.options;
    const tools = this.tools();
    return {
      kind: "agent",
      id: this.id,
      name: this.name,
      description: o.description ?? null,
      model: this.modelName().spec,
      tools: toolDescriptions(tools),
      toolNames: (o.tools ?? []).map((t) => t.name),
      instructions: instructionsText(o.instructions),
      hasKnowledge: !!o.knowledge,
      hasMemory: this.hasMemory,
      dbId: o.db?.id ?? null,
      settings: {
        add_history_to_context: o.addHistoryToContext ?? false,
        num_history_runs: o.numHistoryRuns ?? 3,
        tool_call_limit: o.toolCallLimit ?? null,
        max_model_requests: o.maxModelRequests ?? 20,
        concurrent_runs: this.runPolicy.concurrentRuns,
        on_disconnect: this.runPolicy.onDisconnect,
        output_schema: this.responseFormat()?.schema ?? null,
        knowledge_id: o.knowledge?.id ?? null,
        search_knowledge: !!o.knowledge && (o.searchKnowledge ?? true),
        add_knowledge_to_context: !!o.knowledge && (o.addKnowledgeToContext ?? false),
        enable_user_memories: o.enableUserMemories ?? false,
        enable_agentic_memory: o.enableAgenticMemory ?? false,
        enable_session_summaries: o.enableSessionSummaries ?? false,
      },
    };
  }
}
