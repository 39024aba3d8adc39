import { z } from "zod";
import type { JSONSchema7 } from "@ai-sdk/provider";

/** What a tool sees of the run that calls it. */
export interface ToolContext {
  /** Aborted when the run is cancelled; long tools should pass it on or check it. */
  signal: AbortSignal;
  runId: string;
  sessionId: string;
  userId?: string;
  /** The session's state; tools may read and change it, and the run stores it. */
  sessionState: Record<string, unknown>;
  /** Free-form values the caller passed with the run. */
  dependencies: Record<string, unknown>;
  /** The id of the agent (or team) whose model asked for the call. */
  componentId: string;
  toolCallId: string;
}

/** Human-in-the-loop settings: the run pauses before the tool runs. */
export interface ToolPauseSettings {
  /** The user must confirm the call before it runs. */
  requiresConfirmation?: boolean;
  /** The user supplies these fields of the input (a subset of the input schema's keys; empty = all). */
  requiresUserInput?: boolean;
  userInputFields?: string[];
  /** The caller runs the tool itself and sends the result back. */
  externalExecution?: boolean;
}

export interface ToolOptions<I, O> extends ToolPauseSettings {
  name: string;
  description: string;
  /** The input, as a zod schema; the model sees its JSON schema and the tool gets the parsed value. */
  input?: z.ZodType<I>;
  execute: (input: I, ctx: ToolContext) => O | Promise<O>;
  /** Stop the run after this tool has run, with its result as the answer. */
  stopAfterCall?: boolean;
}

export interface Tool<I = any, O = any> extends ToolPauseSettings {
  readonly kind: "tool";
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodType<I>;
  readonly stopAfterCall: boolean;
  execute(input: I, ctx: ToolContext): O | Promise<O>;
  /** JSON schema of the input, computed on first use and cached. */
  jsonSchema(): JSONSchema7;
}

const NO_INPUT = z.object({});

class DefinedTool<I, O> implements Tool<I, O> {
  readonly kind = "tool" as const;
  #schema: JSONSchema7 | undefined;
  constructor(private readonly options: ToolOptions<I, O>) {}
  get name() {
    return this.options.name;
  }
  get description() {
    return this.options.description;
  }
  get input(): z.ZodType<I> {
    return (this.options.input ?? NO_INPUT) as z.ZodType<I>;
  }
  get stopAfterCall() {
    return this.options.stopAfterCall ?? false;
  }
  get requiresConfirmation() {
    return this.options.requiresConfirmation;
  }
  get requiresUserInput() {
    return this.options.requiresUserInput;
  }
  get userInputFields() {
    return this.options.userInputFields;
  }
  get externalExecution() {
    return this.options.externalExecution;
  }
  execute(input: I, ctx: ToolContext) {
    return this.options.execute(input, ctx);
  }
  jsonSchema(): JSONSchema7 {
    if (!this.#schema) {
      const { $schema: _ignored, ...schema } = z.toJSONSchema(this.input, { io: "input" }) as Record<
        string,
        unknown
      >;
      this.#schema = schema as JSONSchema7;
    }
    return this.#schema;
  }
}

/** Defines a tool. Cheap: nothing is compiled until a model first needs the schema. */
export function tool<I = Record<string, never>, O = unknown>(options: ToolOptions<I, O>): Tool<I, O> {
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(options.name)) {
    throw new TypeError(`Tool name '${options.name}' must be 1-64 letters, digits, '_' or '-'`);
  }
  return new DefinedTool(options);
}
