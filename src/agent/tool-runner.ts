import type { EventFactory, Message, RunEvent, ToolExecution } from "../run/index.js";
import { errorMessage } from "../errors.js";
import { newToolExecution } from "../run/index.js";
import type { Tool, ToolContext } from "../tool/index.js";
import { abortable, inCompletionOrder } from "./abortable.js";

export interface ToolCallRequest {
  id: string;
  name: string;
  /** The arguments as the model wrote them (JSON text). */
  input: string;
}

export interface ToolCallOutcome {
  execution: ToolExecution;
  /** The tool message the model sees next. */
  message: Message;
  /** The tool asked to end the run with its result. */
  stop: boolean;
}

export interface ToolRunnerInput {
  calls: ToolCallRequest[];
  tools: ReadonlyMap<string, Tool>;
  context: Omit<ToolContext, "toolCallId" | "signal">;
  signal: AbortSignal;
  events: EventFactory;
  /** Calls still allowed in this run; undefined means no limit. Decremented as calls are made. */
  budget: { remaining: number | undefined };
}

/**
 * Runs the model's tool calls in parallel. A tool that throws, an unknown tool, bad arguments or
 * the call limit become error results the model sees; only cancellation stops the run.
 */
export async function* runToolCalls(input: ToolRunnerInput): AsyncGenerator<RunEvent, ToolCallOutcome[]> {
  const { calls, events, signal } = input;
  const executions = calls.map((c) =>
    newToolExecution(c.id, c.name, parseArgs(c.input), Math.floor(Date.now() / 1000)),
  );
  for (const execution of executions) yield events.make("ToolCallStarted", { tool: { ...execution } });

  const outcomes: ToolCallOutcome[] = new Array(calls.length);
  const running = calls.map((call, i) =>
    runOne(call, executions[i], input).then((outcome) => ((outcomes[i] = outcome), outcome)),
  );
  for await (const outcome of inCompletionOrder(running)) {
    signal.throwIfAborted();
    const tool = { ...outcome.execution };
    yield outcome.execution.tool_call_error
      ? events.make("ToolCallError", { tool, error: outcome.execution.result ?? "" })
      : events.make("ToolCallCompleted", { tool, content: outcome.execution.result });
  }
  return outcomes;
}

async function runOne(
  call: ToolCallRequest,
  execution: ToolExecution,
  input: ToolRunnerInput,
): Promise<ToolCallOutcome> {
  const start = Date.now();
  const tool = input.tools.get(call.name);
  let result: string;
  let failed = false;
  let stop = false;
  const budget = input.budget;
  try {
    if (budget.remaining !== undefined && budget.remaining-- <= 0) {
      throw new Error("Tool call limit reached for this run; answer without calling more tools.");
    }
    if (!tool)
      throw new Error(
        `Tool '${call.name}' does not exist. Available tools: ${[...input.tools.keys()].join(", ") || "none"}.`,
      );
    const args = tool.input.safeParse(execution.tool_args);
    if (!args.success) {
      throw new Error(
        `Invalid arguments for tool '${call.name}': ${args.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ")}`,
      );
    }
    const ctx: ToolContext = { ...input.context, toolCallId: call.id, signal: input.signal };
    result = stringify(
      await abortable(
        Promise.resolve().then(() => tool.execute(args.data, ctx)),
        input.signal,
      ),
    );
    stop = tool.stopAfterCall;
  } catch (err) {
    if (input.signal.aborted) throw input.signal.reason;
    failed = true;
    result = `Error: ${errorMessage(err)}`;
  }
  const end = Date.now();
  execution.result = result;
  execution.tool_call_error = failed;
  execution.stop_after_tool_call = stop;
  execution.metrics = { start_time: start / 1000, end_time: end / 1000, duration: (end - start) / 1000 };
  return {
    execution,
    stop,
    message: {
      role: "tool",
      content: result,
      tool_call_id: call.id,
      tool_name: call.name,
      tool_call_error: failed || undefined,
      created_at: Math.floor(end / 1000),
    },
  };
}

/** The model's argument text as an object (a non-object value is wrapped, unparseable text kept raw). */
export function parseArgs(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text || "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : { value };
  } catch {
    return { _raw: text };
  }
}

/** A tool's return value as the text the model sees. */
export function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "";
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
