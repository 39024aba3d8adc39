import type {
  JSONSchema7,
  JSONSchema7Definition,
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3FilePart,
  LanguageModelV3FinishReason,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
  LanguageModelV3ToolCall,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import {
  asksAboutDocs,
  asksForTime,
  findArithmetic,
  keyWords,
  outputText,
  parseJson,
  promptText,
  toolNames,
  trailingResults,
} from "./offline-demo-intents.js";
import type { ResultSeen } from "./offline-demo-intents.js";
import { delegationCalls, isDelegationTool, routedMembers, teamAnswer } from "./offline-demo-team.js";
import { OFFLINE_TASKS } from "./offline-demo-tasks.js";

export interface OfflineDemoModelOptions {
  /** Pause between streamed words, in milliseconds (default 20; 0 streams everything at once). */
  delayMs?: number;
}

/** One model turn, worked out before anything is streamed. */
interface Turn {
  id: string;
  text?: string;
  toolCalls: LanguageModelV3ToolCall[];
  finishReason: LanguageModelV3FinishReason;
  usage: LanguageModelV3Usage;
}

const PAUSE = Symbol("pause");

/**
 * The model the demo server uses when no provider is configured: no network, deterministic.
 * It calls a calculator, clock or lookup tool when asked for arithmetic, the time or a topic,
 * reports their results, delegates to the best-fitting members when it leads a team, and
 * otherwise says plainly what it is and what it saw, never more.
 */
export class OfflineDemoModel implements LanguageModelV3 {
  readonly specificationVersion = "v3" as const;
  readonly provider = "offline";
  readonly modelId = "demo";
  readonly supportedUrls = {};
  readonly delayMs: number;

  constructor(options: OfflineDemoModelOptions = {}) {
    const delayMs = options.delayMs ?? 20;
    if (!Number.isFinite(delayMs) || delayMs < 0)
      throw new RangeError(`delayMs must be a non-negative number, got ${delayMs}`);
    this.delayMs = delayMs;
  }

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    options.abortSignal?.throwIfAborted();
    const turn = planTurn(options);
    const content: LanguageModelV3Content[] =
      turn.text !== undefined ? [{ type: "text", text: turn.text }] : [];
    content.push(...turn.toolCalls);
    return {
      content,
      finishReason: turn.finishReason,
      usage: turn.usage,
      warnings: [],
      response: { id: turn.id, modelId: this.modelId },
    };
  }

  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    const signal = options.abortSignal;
    signal?.throwIfAborted();
    const steps = streamSteps(planTurn(options), this.modelId);
    const delayMs = this.delayMs;
    const halt = new AbortController();
    const stream = new ReadableStream<LanguageModelV3StreamPart>({
      start(controller) {
        if (delayMs === 0) {
          for (const step of steps) if (step !== PAUSE) controller.enqueue(step);
          controller.close();
          return;
        }
        void play(
          controller,
          steps,
          delayMs,
          signal ? AbortSignal.any([signal, halt.signal]) : halt.signal,
          signal,
        );
      },
      cancel() {
        halt.abort();
      },
    });
    return { stream };
  }
}

function streamSteps(turn: Turn, modelId: string): (LanguageModelV3StreamPart | typeof PAUSE)[] {
  const steps: (LanguageModelV3StreamPart | typeof PAUSE)[] = [
    { type: "stream-start", warnings: [] },
    { type: "response-metadata", id: turn.id, modelId },
  ];
  if (turn.text !== undefined) {
    const id = `${turn.id}_text`;
    steps.push({ type: "text-start", id });
    for (const word of turn.text.match(/\S+\s*|\s+/g) ?? [])
      steps.push(PAUSE, { type: "text-delta", id, delta: word });
    steps.push({ type: "text-end", id });
  }
  if (turn.toolCalls.length) steps.push(PAUSE, ...turn.toolCalls);
  steps.push({ type: "finish", finishReason: turn.finishReason, usage: turn.usage });
  return steps;
}

async function play(
  controller: ReadableStreamDefaultController<LanguageModelV3StreamPart>,
  steps: (LanguageModelV3StreamPart | typeof PAUSE)[],
  delayMs: number,
  stop: AbortSignal,
  callerSignal: AbortSignal | undefined,
): Promise<void> {
  try {
    for (const step of steps) {
      if (step === PAUSE) await sleep(delayMs, stop);
      else controller.enqueue(step);
    }
    controller.close();
  } catch {
    // Either the caller aborted (the stream fails with its reason) or the reader cancelled (nothing to tell).
    if (callerSignal?.aborted) controller.error(callerSignal.reason);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function planTurn(options: LanguageModelV3CallOptions): Turn {
  const seen = promptText(options.prompt);
  const promptChars = seen.length;
  const id = `offline_${fnv1a(`${seen}\u0000${toolNames(options).join(",")}`)}`;
  const format = options.responseFormat;
  const task = format?.type === "json" && format.name ? OFFLINE_TASKS[format.name] : undefined;
  if (task) {
    const text = task(options.prompt);
    return {
      id,
      text,
      toolCalls: [],
      finishReason: { unified: "stop", raw: "stop" },
      usage: usageOf(promptChars, text.length),
    };
  }
  const reply = decide(options);
  if ("calls" in reply) {
    const toolCalls = reply.calls.map((call, i): LanguageModelV3ToolCall => ({
      type: "tool-call",
      toolCallId: `${id}_call${i}`,
      toolName: call.toolName,
      input: JSON.stringify(call.input),
    }));
    const outChars = toolCalls.reduce((n, c) => n + c.input.length, 0);
    return {
      id,
      toolCalls,
      finishReason: { unified: "tool-calls", raw: "tool_calls" },
      usage: usageOf(promptChars, outChars),
    };
  }
  const text =
    format?.type === "json"
      ? JSON.stringify(format.schema ? sampleOf(format.schema, format.schema) : { answer: reply.text })
      : reply.text;
  return {
    id,
    text,
    toolCalls: [],
    finishReason: { unified: "stop", raw: "stop" },
    usage: usageOf(promptChars, text.length),
  };
}

/** What to do this turn: call tools, or answer. */
function decide(
  options: LanguageModelV3CallOptions,
): { calls: { toolName: string; input: object }[] } | { text: string } {
  const prompt = options.prompt;
  const userIndex = prompt.findLastIndex((m) => m.role === "user");
  const user = prompt[userIndex];
  const userText =
    user?.role === "user" ? user.content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("\n") : "";
  const tools = options.toolChoice?.type === "none" ? [] : toolNames(options);
  if (prompt[prompt.length - 1]?.role === "tool") {
    const results = trailingResults(prompt);
    // A routed member's answer only comes back when it failed: try the next best one.
    if (tools.includes("route_to_member") && results.some((r) => r.part.toolName === "route_to_member")) {
      const next = delegationCalls(options, "route_to_member", userText, routedMembers(prompt));
      if (next.length) return { calls: next };
    }
    if (results.some((r) => isDelegationTool(r.part.toolName))) return { text: teamAnswer(results) };
    if (results.length) return { text: resultsAnswer(results, userText) };
  }
  const delegation = tools.find(isDelegationTool);
  if (delegation) {
    const calls = delegationCalls(options, delegation, userText);
    if (calls.length) return { calls };
  }
  if (tools.includes("search_knowledge") && asksAboutDocs(userText))
    return { calls: [{ toolName: "search_knowledge", input: { query: userText.trim().slice(0, 200) } }] };
  const calc = tools.find((name) => /calc/i.test(name));
  const clock = tools.find((name) => /time|clock/i.test(name));
  const lookup = tools.find((name) => /lookup|search/i.test(name) && name !== "search_knowledge");
  const expression = findArithmetic(userText);
  const calls: { toolName: string; input: object }[] = [];
  if (expression !== undefined && calc) calls.push({ toolName: calc, input: { expression } });
  if (clock && asksForTime(userText)) calls.push({ toolName: clock, input: {} });
  const query = lookup && queryParameter(options, lookup);
  const words = keyWords(userText);
  if (lookup && query && words.length) calls.push({ toolName: lookup, input: { [query]: words.join(" ") } });
  if (calls.length) return { calls };
  const files =
    user?.role === "user" ? user.content.filter((p): p is LanguageModelV3FilePart => p.type === "file") : [];
  const earlier = prompt.slice(0, Math.max(userIndex, 0)).filter((m) => m.role === "user").length;
  return { text: chatAnswer(userText, earlier, files) };
}

/** The string parameter a lookup tool takes its query in: `query`, else its first string parameter. */
function queryParameter(options: LanguageModelV3CallOptions, toolName: string): string | undefined {
  const tool = options.tools?.find((t) => t.type === "function" && t.name === toolName);
  if (tool?.type !== "function") return undefined;
  const props = Object.entries(tool.inputSchema.properties ?? {});
  if (props.some(([name]) => name === "query")) return "query";
  return props.find(([, p]) => typeof p === "object" && p.type === "string")?.[0];
}

function chatAnswer(userText: string, earlierTurns: number, files: LanguageModelV3FilePart[]): string {
  const sentences = [
    "I am the offline demo model: no model provider is configured, so my replies are canned and deterministic (set OPENAI_API_KEY, ANTHROPIC_API_KEY or AGENTOS_MODEL to use a real model).",
  ];
  const expression = findArithmetic(userText);
  const words = keyWords(userText);
  if (expression !== undefined)
    sentences.push(
      `You asked me to work out ${expression}, but no calculator tool is available to me, so I will not guess.`,
    );
  else if (asksForTime(userText))
    sentences.push(
      "You asked for the time or date, but no clock tool is available to me and I do not know it myself.",
    );
  else if (words.length)
    sentences.push(
      `Your message mentions ${listOf(words.map((w) => `"${w}"`))}; without a real model I cannot tell you anything reliable about that.`,
    );
  else sentences.push("I could not pick out any key words in your message.");
  sentences.push(
    earlierTurns === 0
      ? "I see no earlier turns in this conversation."
      : `I can see ${earlierTurns} earlier turn${earlierTurns === 1 ? "" : "s"} in this conversation.`,
  );
  if (files.length)
    sentences.push(`You attached ${listOf(files.map(describeFile))}, which I cannot read offline.`);
  return sentences.join(" ");
}

function describeFile(file: LanguageModelV3FilePart): string {
  const name = file.filename ?? (file.data instanceof URL ? lastSegment(file.data) : "");
  return name ? `${name} (${file.mediaType})` : `an unnamed ${file.mediaType} file`;
}

function lastSegment(url: URL): string {
  const segment = url.pathname.split("/").pop() ?? "";
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a malformed escape: show it as written
  }
}

function resultsAnswer(results: ResultSeen[], userText: string): string {
  const sentences = results.map(describeResult);
  const clockRan = results.some((r) => /time|clock/i.test(r.part.toolName));
  if (!clockRan && asksForTime(userText))
    sentences.push("I have no clock tool, so I cannot tell you the time.");
  return sentences.join(" ");
}

function describeResult({ part, input }: ResultSeen): string {
  const { toolName, output } = part;
  const isCalc = /calc/i.test(toolName);
  const isClock = /time|clock/i.test(toolName);
  if (output.type === "execution-denied")
    return sentence(`The ${toolName} call was not run${output.reason ? `: ${output.reason}` : ""}`);
  const raw = outputText(output);
  if (toolName === "search_knowledge" && output.type !== "error-text" && output.type !== "error-json")
    return knowledgeAnswer(output.type === "json" ? output.value : parseJson(raw));
  if (output.type === "error-text" || output.type === "error-json") {
    const message = raw.replace(/^Error:\s*/, "");
    if (isCalc) return sentence(`The calculator could not evaluate that: ${message}`);
    if (isClock) return sentence(`The clock could not tell the time: ${message}`);
    return sentence(`The ${toolName} tool failed: ${message}`);
  }
  const value = output.type === "json" ? output.value : parseJson(raw);
  const record =
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  if (isCalc) {
    const result = record ? record.result : value;
    const asked =
      record?.expression ??
      (input !== null && typeof input === "object"
        ? (input as Record<string, unknown>).expression
        : undefined);
    if (typeof result === "number" || typeof result === "string") {
      return typeof asked === "string" ? `${asked} = ${result}.` : sentence(`The result is ${result}`);
    }
  }
  if (isClock && typeof record?.iso === "string") {
    const local =
      typeof record.local === "string"
        ? ` (${record.local}${typeof record.timezone === "string" ? ` in ${record.timezone}` : ""})`
        : "";
    return `The current time is ${record.iso}${local}.`;
  }
  return sentence(`The ${toolName} tool returned: ${raw.length > 200 ? `${raw.slice(0, 200)}…` : raw}`);
}

/** Quotes the best passage the knowledge search found and names the other sources. */
function knowledgeAnswer(value: unknown): string {
  const passages = Array.isArray(value)
    ? value.filter((p): p is { source: string; content: string } => typeof p?.content === "string")
    : [];
  if (passages.length === 0) return "I searched the knowledge base but found nothing about that.";
  const [best, ...rest] = passages;
  const excerpt = best.content.replace(/\s+/g, " ").trim();
  const others = [...new Set(rest.map((p) => p.source).filter((s) => s !== best.source))];
  return [
    `From the knowledge base (${best.source}): "${excerpt.length > 400 ? `${excerpt.slice(0, 399)}…` : excerpt}"`,
    others.length ? `More in ${listOf(others)}.` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

/** A value that validates against simple schemas: short strings, zeros, false, empty arrays, first enum values. */
function sampleOf(schema: JSONSchema7Definition | undefined, root: JSONSchema7, depth = 0): unknown {
  if (schema === undefined || typeof schema === "boolean" || depth > 10) return null;
  if (schema.$ref) return sampleOf(resolveRef(root, schema.$ref), root, depth + 1);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (alternatives?.length) return sampleOf(alternatives[0], root, depth + 1);
  const declared = Array.isArray(schema.type)
    ? (schema.type.find((t) => t !== "null") ?? "null")
    : schema.type;
  const type = declared ?? (schema.properties ? "object" : schema.items ? "array" : undefined);
  switch (type) {
    case "object":
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, s]) => [key, sampleOf(s, root, depth + 1)]),
      );
    case "array": {
      const item = Array.isArray(schema.items) ? schema.items[0] : schema.items;
      return Array.from({ length: schema.minItems ?? 0 }, () => sampleOf(item, root, depth + 1));
    }
    case "string":
      return sampleString(schema);
    case "number":
    case "integer": {
      let n = Math.max(0, schema.minimum ?? 0);
      if (typeof schema.exclusiveMinimum === "number" && n <= schema.exclusiveMinimum)
        n = schema.exclusiveMinimum + 1;
      if (schema.maximum !== undefined && n > schema.maximum) n = schema.maximum;
      return type === "integer" ? Math.ceil(n) : n;
    }
    case "boolean":
      return false;
    default:
      return null;
  }
}

const FORMAT_SAMPLES: Record<string, string> = {
  "date-time": "1970-01-01T00:00:00Z",
  date: "1970-01-01",
  time: "00:00:00Z",
  email: "demo@example.com",
  uri: "https://example.com",
  url: "https://example.com",
  uuid: "00000000-0000-4000-8000-000000000000",
};

function sampleString(schema: JSONSchema7): string {
  const text = (
    schema.format && Object.hasOwn(FORMAT_SAMPLES, schema.format)
      ? FORMAT_SAMPLES[schema.format]
      : "offline demo"
  ).padEnd(schema.minLength ?? 0, ".");
  return schema.maxLength !== undefined ? text.slice(0, schema.maxLength) : text;
}

function resolveRef(root: JSONSchema7, ref: string): JSONSchema7Definition | undefined {
  if (ref === "#") return root;
  let node: unknown = root;
  for (const key of ref.replace(/^#\//, "").split("/")) {
    node =
      node !== null && typeof node === "object"
        ? (node as Record<string, unknown>)[key.replace(/~1/g, "/").replace(/~0/g, "~")]
        : undefined;
  }
  return node as JSONSchema7Definition | undefined;
}

function usageOf(inputChars: number, outputChars: number): LanguageModelV3Usage {
  const input = Math.ceil(inputChars / 4);
  const output = Math.ceil(outputChars / 4);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}

function listOf(items: string[]): string {
  return items.length <= 1
    ? (items[0] ?? "")
    : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function sentence(text: string): string {
  return /[.!?…]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

/** FNV-1a: a short, stable fingerprint of the prompt for deterministic ids. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}
