import type {
  JSONSchema7,
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import type {
  EventFactory,
  Message,
  MessageToolCall,
  RunEvent,
  RunMetrics,
  ToolExecution,
  TokenUsage,
} from "../run/index.js";
import { addUsage, nowSeconds } from "../run/index.js";
import type { Tool, ToolContext } from "../tool/index.js";
import { abortable } from "./abortable.js";
import { toModelPrompt } from "./prompt.js";
import { pausedExecution, pausesBefore } from "./tool-pause.js";
import { parseArgs, runToolCalls } from "./tool-runner.js";
import type { ToolCallRequest } from "./tool-runner.js";

export interface ModelLoopInput {
  model: LanguageModelV3;
  modelName: { id: string; provider: string };
  /** The whole conversation so far; the loop appends to a copy. */
  messages: readonly Message[];
  tools: readonly Tool[];
  toolContext: Omit<ToolContext, "toolCallId" | "signal">;
  signal: AbortSignal;
  events: EventFactory;
  metrics: RunMetrics;
  /** performance.now() when the run started, for time to first token. */
  startedAt: number;
  toolCallLimit?: number;
  maxModelRequests: number;
  responseFormat?: { schema: JSONSchema7; name?: string };
  settings?: Pick<LanguageModelV3CallOptions, "temperature" | "maxOutputTokens">;
  /** Called with each text delta; lets the caller keep "content so far". */
  onContent?: (delta: string) => void;
}

export interface ModelLoopResult {
  /** The final answer's text (when paused: the text so far). */
  content: string;
  /** Messages this loop added: assistant turns and tool results. */
  messages: Message[];
  /** Tool calls made, and the paused ones (result null). */
  tools: ToolExecution[];
  /** Set when the model called tools that need the user first: the run pauses with these. */
  paused?: ToolExecution[];
}

/**
 * Our run loop: stream the model's answer, run the tools it asks for (in parallel), feed the
 * results back, and repeat until it answers without tools or a limit is reached.
 */
export async function* modelLoop(input: ModelLoopInput): AsyncGenerator<RunEvent, ModelLoopResult> {
  const { model, events, signal, metrics } = input;
  const toolsByName = new Map(input.tools.map((t) => [t.name, t]));
  const conversation = [...input.messages];
  const added: Message[] = [];
  const executions: ToolExecution[] = [];
  const budget = { remaining: input.toolCallLimit };
  let content = "";

  for (let request = 1; ; request++) {
    const lastChance = request >= input.maxModelRequests || budget.remaining === 0;
    const callTools = toolsByName.size > 0 && !lastChance;
    yield events.make("ModelRequestStarted", {
      model: input.modelName.id,
      model_provider: input.modelName.provider,
    });
    const requestStart = performance.now();
    let requestTtft: number | null = null;
    const options: LanguageModelV3CallOptions = {
      prompt: toModelPrompt(conversation),
      abortSignal: signal,
      ...input.settings,
      ...(callTools ? { tools: input.tools.map(toFunctionTool), toolChoice: { type: "auto" as const } } : {}),
      ...(input.responseFormat ? { responseFormat: { type: "json" as const, ...input.responseFormat } } : {}),
    };
    const { stream } = await abortable(model.doStream(options), signal);
    metrics.model_requests++;

    let text = "";
    let reasoning = "";
    const calls: ToolCallRequest[] = [];
    let usage: LanguageModelV3Usage | undefined;
    const reader = stream.getReader();
    // One listener per request, not per chunk: cancelling the reader ends a pending read at once,
    // and the provider's stream is told to stop even if the model ignores the signal.
    const stop = () => void reader.cancel(signal.reason).catch(() => {});
    signal.addEventListener("abort", stop, { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        signal.throwIfAborted();
        if (done) break;
        const part: LanguageModelV3StreamPart = value;
        switch (part.type) {
          case "text-delta":
            if (!part.delta) break;
            if (requestTtft === null) requestTtft = (performance.now() - requestStart) / 1000;
            if (metrics.time_to_first_token === null)
              metrics.time_to_first_token = (performance.now() - input.startedAt) / 1000;
            text += part.delta;
            input.onContent?.(part.delta);
            yield events.make("RunContent", { content: part.delta, content_type: "str" });
            break;
          case "reasoning-delta":
            reasoning += part.delta;
            yield events.make("ReasoningContentDelta", { reasoning_content: part.delta });
            break;
          case "tool-call":
            calls.push({ id: part.toolCallId, name: part.toolName, input: part.input });
            break;
          case "finish":
            usage = part.usage;
            break;
          case "error":
            throw part.error instanceof Error
              ? part.error
              : new Error(String((part.error as { message?: string })?.message ?? part.error));
        }
      }
    } finally {
      signal.removeEventListener("abort", stop);
      reader.releaseLock();
    }

    const tokens = toTokenUsage(usage);
    addUsage(metrics, tokens);
    yield events.make("ModelRequestCompleted", {
      model: input.modelName.id,
      model_provider: input.modelName.provider,
      ...tokens,
      time_to_first_token: requestTtft,
    });

    const assistant: Message = { role: "assistant", content: text || null, created_at: nowSeconds() };
    if (reasoning) assistant.reasoning_content = reasoning;
    if (calls.length === 0) {
      content = text;
      conversation.push(assistant);
      added.push(assistant);
      break;
    }
    assistant.tool_calls = calls.map((c): MessageToolCall => ({
      id: c.id,
      type: "function",
      function: { name: c.name, arguments: c.input || "{}" },
    }));
    conversation.push(assistant);
    added.push(assistant);

    // Calls of tools that need the user wait; the others run now, and the run pauses after them.
    const paused = calls
      .filter((c) => pausesBefore(toolsByName.get(c.name)))
      .map((c) => pausedExecution(c, toolsByName.get(c.name)!, parseArgs(c.input)));
    const outcomes = yield* runToolCalls({
      calls: paused.length ? calls.filter((c) => !paused.some((p) => p.tool_call_id === c.id)) : calls,
      tools: toolsByName,
      context: input.toolContext,
      signal,
      events,
      budget,
    });
    metrics.tool_calls += outcomes.length;
    for (const o of outcomes) {
      executions.push(o.execution);
      conversation.push(o.message);
      added.push(o.message);
    }
    if (paused.length) return { content: text, messages: added, tools: [...executions, ...paused], paused };
    const stopper = outcomes.find((o) => o.stop);
    if (stopper) {
      content = stopper.execution.result ?? "";
      break;
    }
  }
  return { content, messages: added, tools: executions };
}

function toFunctionTool(tool: Tool) {
  return {
    type: "function" as const,
    name: tool.name,
    description: tool.description,
    inputSchema: tool.jsonSchema(),
  };
}

function toTokenUsage(usage: LanguageModelV3Usage | undefined): TokenUsage {
  const input = usage?.inputTokens.total ?? 0;
  const output = usage?.outputTokens.total ?? 0;
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: input + output,
    cache_read_tokens: usage?.inputTokens.cacheRead ?? 0,
    cache_write_tokens: usage?.inputTokens.cacheWrite ?? 0,
    reasoning_tokens: usage?.outputTokens.reasoning ?? 0,
  };
}
