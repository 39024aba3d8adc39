import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";

/** One thing a scripted model does within a turn (one model request). */
export type ScriptStep =
  | { text: string; chunks?: number }
  | { reasoning: string }
  | { toolCall: { name: string; args?: unknown; id?: string } }
  | { delayMs: number }
  /** The stream fails at this point (after what came before). */
  | { error: string | Error }
  /** The request itself fails before streaming, like an HTTP error. */
  | { fail: string | Error }
  | { usage: { input?: number; output?: number; reasoning?: number; cacheRead?: number } };

/** A turn: its steps, a bare string for plain text, or a function of the request. */
export type ScriptTurn =
  string | ScriptStep[] | ((call: LanguageModelV3CallOptions, index: number) => string | ScriptStep[]);

export interface ScriptedModelOptions {
  turns?: ScriptTurn[];
  /** Used once the turns run out; without it, running out is an error. */
  fallback?: ScriptTurn;
  provider?: string;
  modelId?: string;
}

let idCounter = 0;
const MAX_RECORDED_CALLS = 1000;

/**
 * A model for tests: plays back text deltas, tool calls, delays and errors, one turn per request,
 * and records the requests it was given in `calls` (the first 1,000: a benchmark's millions
 * would otherwise hold every prompt in memory).
 */
export class ScriptedModel implements LanguageModelV3 {
  readonly specificationVersion = "v3" as const;
  readonly provider: string;
  readonly modelId: string;
  readonly supportedUrls = {};
  readonly calls: LanguageModelV3CallOptions[] = [];
  /** Requests so far, recorded or not: the index of the next turn. */
  #requests = 0;
  readonly #turns: ScriptTurn[];
  readonly #fallback?: ScriptTurn;

  constructor(options: ScriptedModelOptions | ScriptTurn[] = {}) {
    const o = Array.isArray(options) ? { turns: options } : options;
    this.#turns = o.turns ?? [];
    this.#fallback = o.fallback;
    this.provider = o.provider ?? "scripted";
    this.modelId = o.modelId ?? "scripted-model";
  }

  /** A model that answers every request with the same text, instantly. */
  static reply(text: string): ScriptedModel {
    return new ScriptedModel({ fallback: text });
  }

  #steps(options: LanguageModelV3CallOptions): ScriptStep[] {
    const index = this.#requests++;
    if (this.calls.length < MAX_RECORDED_CALLS) this.calls.push(options);
    const turn = index < this.#turns.length ? this.#turns[index] : this.#fallback;
    if (turn === undefined) throw new Error(`ScriptedModel has no turn for request ${index + 1}`);
    const resolved = typeof turn === "function" ? turn(options, index) : turn;
    return typeof resolved === "string" ? [{ text: resolved }] : resolved;
  }

  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    const steps = this.#steps(options);
    const fail = steps.find((s): s is { fail: string | Error } => "fail" in s);
    if (fail) throw typeof fail.fail === "string" ? new Error(fail.fail) : fail.fail;
    const signal = options.abortSignal;
    signal?.throwIfAborted();
    const promptChars = JSON.stringify(options.prompt).length;
    const hasDelay = steps.some((s) => "delayMs" in s);
    const instant = partsOf(steps, promptChars);
    const stream = new ReadableStream<LanguageModelV3StreamPart>({
      pull: hasDelay
        ? async (controller) => {
            try {
              for (const part of partsOf(steps, promptChars)) {
                if (typeof part === "number") await sleep(part, signal);
                else if (part instanceof Error) return controller.error(part);
                else controller.enqueue(part);
                signal?.throwIfAborted();
              }
              controller.close();
            } catch (err) {
              controller.error(err);
            }
          }
        : (controller) => {
            // Instant scripts need no timers (benchmarks measure the server, not timers); a batch per
            // pull keeps the stream's queue short however long the script is.
            for (let i = 0; i < 256; i++) {
              const next = instant.next();
              if (next.done) return controller.close();
              if (next.value instanceof Error) return controller.error(next.value);
              if (typeof next.value !== "number") controller.enqueue(next.value);
            }
          },
    });
    return { stream };
  }

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    const { stream } = await this.doStream(options);
    const content: LanguageModelV3Content[] = [];
    let usage = usageOf(0, 0);
    let finish: LanguageModelV3GenerateResult["finishReason"] = { unified: "stop", raw: "stop" };
    let text = "";
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.type === "text-delta") text += value.delta;
      else if (value.type === "tool-call") content.push(value);
      else if (value.type === "finish") {
        usage = value.usage;
        finish = value.finishReason;
      }
    }
    if (text) content.unshift({ type: "text", text });
    return { content, finishReason: finish, usage, warnings: [] };
  }
}

function* partsOf(
  steps: ScriptStep[],
  promptChars: number,
): Generator<LanguageModelV3StreamPart | number | Error> {
  yield { type: "stream-start", warnings: [] };
  let outChars = 0;
  let toolCalls = 0;
  let usage: Extract<ScriptStep, { usage: unknown }>["usage"] | undefined;
  for (const step of steps) {
    if ("delayMs" in step) yield step.delayMs;
    else if ("error" in step) {
      yield typeof step.error === "string" ? new Error(step.error) : step.error;
      return;
    } else if ("usage" in step) usage = step.usage;
    else if ("reasoning" in step) {
      const id = `r${++idCounter}`;
      yield { type: "reasoning-start", id };
      yield { type: "reasoning-delta", id, delta: step.reasoning };
      yield { type: "reasoning-end", id };
    } else if ("text" in step) {
      const id = `t${++idCounter}`;
      outChars += step.text.length;
      yield { type: "text-start", id };
      for (const delta of chunk(step.text, step.chunks)) yield { type: "text-delta", id, delta };
      yield { type: "text-end", id };
    } else if ("toolCall" in step) {
      toolCalls++;
      const input = JSON.stringify(step.toolCall.args ?? {});
      outChars += input.length;
      yield {
        type: "tool-call",
        toolCallId: step.toolCall.id ?? `call_${++idCounter}`,
        toolName: step.toolCall.name,
        input,
      };
    }
  }
  yield {
    type: "finish",
    finishReason: toolCalls ? { unified: "tool-calls", raw: "tool_calls" } : { unified: "stop", raw: "stop" },
    usage: usageOf(
      usage?.input ?? Math.ceil(promptChars / 4),
      usage?.output ?? Math.ceil(outChars / 4),
      usage?.reasoning,
      usage?.cacheRead,
    ),
  };
}

/** Splits text into `n` pieces, or into words (each with its trailing space) by default. */
function chunk(text: string, n?: number): string[] {
  if (!n) return text.match(/\S+\s*|\s+/g) ?? [text];
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function usageOf(
  input: number,
  output: number,
  reasoning?: number,
  cacheRead?: number,
): LanguageModelV3Usage {
  return {
    inputTokens: { total: input, noCache: input - (cacheRead ?? 0), cacheRead, cacheWrite: undefined },
    outputTokens: { total: output, text: output - (reasoning ?? 0), reasoning },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
