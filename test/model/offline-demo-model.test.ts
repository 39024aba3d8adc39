import type {
  LanguageModelV3CallOptions,
  LanguageModelV3FilePart,
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3ToolResultOutput,
} from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { OfflineDemoModel } from "../../src/model/offline-demo-model.js";

const calculatorTool: LanguageModelV3FunctionTool = {
  type: "function",
  name: "calculator",
  description: "Evaluates arithmetic",
  inputSchema: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] },
};
const clockTool: LanguageModelV3FunctionTool = {
  type: "function",
  name: "current_time",
  description: "The current time",
  inputSchema: { type: "object", properties: { timezone: { type: "string" } } },
};
const TOOLS = [calculatorTool, clockTool];

function user(text: string, files: LanguageModelV3FilePart[] = []): LanguageModelV3Message {
  return { role: "user", content: [{ type: "text", text }, ...files] };
}

async function collect(
  model: OfflineDemoModel,
  options: LanguageModelV3CallOptions,
): Promise<LanguageModelV3StreamPart[]> {
  const { stream } = await model.doStream(options);
  const parts: LanguageModelV3StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

const textOf = (parts: LanguageModelV3StreamPart[]) =>
  parts.flatMap((p) => (p.type === "text-delta" ? [p.delta] : [])).join("");
const callsOf = (parts: LanguageModelV3StreamPart[]) =>
  parts.flatMap((p) => (p.type === "tool-call" ? [p] : []));
const finishOf = (parts: LanguageModelV3StreamPart[]) => {
  const finish = parts.at(-1);
  if (finish?.type !== "finish") throw new Error(`stream did not end with finish: ${JSON.stringify(finish)}`);
  return finish;
};

/** A prompt where the model called `toolName` and got `output` back. */
function afterToolCall(
  question: string,
  calls: { toolName: string; input: unknown; output: LanguageModelV3ToolResultOutput }[],
): LanguageModelV3Prompt {
  return [
    { role: "system", content: "Be brief." },
    user(question),
    {
      role: "assistant",
      content: calls.map((c, i) => ({
        type: "tool-call" as const,
        toolCallId: `c${i}`,
        toolName: c.toolName,
        input: c.input,
      })),
    },
    ...calls.map((c, i): LanguageModelV3Message => ({
      role: "tool",
      content: [{ type: "tool-result", toolCallId: `c${i}`, toolName: c.toolName, output: c.output }],
    })),
  ];
}

const model = new OfflineDemoModel({ delayMs: 0 });

describe("OfflineDemoModel identity", () => {
  it("is a v3 model named offline:demo with a 20 ms default delay", () => {
    const m = new OfflineDemoModel();
    expect([m.specificationVersion, m.provider, m.modelId, m.supportedUrls, m.delayMs]).toEqual([
      "v3",
      "offline",
      "demo",
      {},
      20,
    ]);
    expect(() => new OfflineDemoModel({ delayMs: -1 })).toThrow(/non-negative/);
  });
});

describe("OfflineDemoModel tool calls", () => {
  it.each([
    ["what is 12 * (3 + 4)?", "12 * (3 + 4)"],
    ["calculate 2^10", "2^10"],
    ["Compute 7/2 please", "7/2"],
    ["sqrt(16) + 2", "sqrt(16) + 2"],
  ])("asks the calculator for arithmetic in %j", async (question, expression) => {
    const parts = await collect(model, { prompt: [user(question)], tools: TOOLS });
    const calls = callsOf(parts);
    expect(calls).toHaveLength(1);
    expect(calls[0].toolName).toBe("calculator");
    expect(JSON.parse(calls[0].input)).toEqual({ expression });
    expect(parts.some((p) => p.type === "text-delta")).toBe(false);
    expect(finishOf(parts).finishReason).toEqual({ unified: "tool-calls", raw: "tool_calls" });
    expect(parts[0]).toEqual({ type: "stream-start", warnings: [] });
  });

  it.each(["What time is it?", "what's today's date", "Tell me the current time"])(
    "asks the clock for %j",
    async (question) => {
      const calls = callsOf(await collect(model, { prompt: [user(question)], tools: TOOLS }));
      expect(calls.map((c) => [c.toolName, JSON.parse(c.input)])).toEqual([["current_time", {}]]);
    },
  );

  it("finds tools by name fragment: any tool containing calc, time or clock", async () => {
    const tools: LanguageModelV3FunctionTool[] = [
      { type: "function", name: "weather", inputSchema: { type: "object" } },
      { type: "function", name: "world_clock", inputSchema: { type: "object" } },
      { type: "function", name: "calc_v2", inputSchema: { type: "object" } },
    ];
    const calls = callsOf(
      await collect(model, { prompt: [user("calculate 3+4 and tell me what time is it")], tools }),
    );
    expect(calls.map((c) => c.toolName)).toEqual(["calc_v2", "world_clock"]);
  });

  it("calls both tools in one turn when both are asked, with distinct ids", async () => {
    const parts = await collect(model, {
      prompt: [user("What is 2 + 2, and what time is it?")],
      tools: TOOLS,
    });
    const calls = callsOf(parts);
    expect(calls.map((c) => [c.toolName, JSON.parse(c.input)])).toEqual([
      ["calculator", { expression: "2 + 2" }],
      ["current_time", {}],
    ]);
    expect(new Set(calls.map((c) => c.toolCallId)).size).toBe(2);
    expect(finishOf(parts).finishReason.unified).toBe("tool-calls");
  });

  it("does not call tools that are not offered, and says so instead of guessing", async () => {
    const parts = await collect(model, { prompt: [user("what is 12 * (3 + 4)?")], tools: [clockTool] });
    expect(callsOf(parts)).toEqual([]);
    const text = textOf(parts);
    expect(text).toContain("12 * (3 + 4)");
    expect(text).toContain("no calculator tool");
    expect(text).not.toContain("84");
    expect(finishOf(parts).finishReason).toEqual({ unified: "stop", raw: "stop" });
  });

  it("calls no tools when toolChoice is none", async () => {
    const parts = await collect(model, {
      prompt: [user("calculate 2^10")],
      tools: TOOLS,
      toolChoice: { type: "none" },
    });
    expect(callsOf(parts)).toEqual([]);
    expect(textOf(parts)).toContain("offline demo model");
  });

  it("does not take dates or hyphenated words for arithmetic", async () => {
    for (const question of ["My birthday is 1990-05-12", "a well-known fact", "I have 3 cats"]) {
      const parts = await collect(model, { prompt: [user(question)], tools: TOOLS });
      expect(callsOf(parts), question).toEqual([]);
    }
  });
});

describe("OfflineDemoModel after tool results", () => {
  it("answers with the calculator's result", async () => {
    const prompt = afterToolCall("what is 12 * (3 + 4)?", [
      {
        toolName: "calculator",
        input: { expression: "12 * (3 + 4)" },
        output: { type: "text", value: '{"expression":"12 * (3 + 4)","result":84}' },
      },
    ]);
    const parts = await collect(model, { prompt, tools: TOOLS });
    expect(textOf(parts)).toBe("12 * (3 + 4) = 84.");
    expect(callsOf(parts)).toEqual([]);
    expect(finishOf(parts).finishReason.unified).toBe("stop");
  });

  it("answers with the time, and with both results when both tools ran", async () => {
    const prompt = afterToolCall("what is 2^10 and what time is it?", [
      {
        toolName: "calculator",
        input: { expression: "2^10" },
        output: { type: "json", value: { expression: "2^10", result: 1024 } },
      },
      {
        toolName: "current_time",
        input: {},
        output: {
          type: "text",
          value:
            '{"iso":"2026-11-29T10:00:00Z","timezone":"UTC","local":"Sunday, November 29, 2026 at 10:00:00 AM UTC"}',
        },
      },
    ]);
    const text = textOf(await collect(model, { prompt, tools: TOOLS }));
    expect(text).toBe(
      "2^10 = 1024. The current time is 2026-11-29T10:00:00Z (Sunday, November 29, 2026 at 10:00:00 AM UTC in UTC).",
    );
  });

  it("reports a tool error honestly", async () => {
    const prompt = afterToolCall("what is 1/0?", [
      {
        toolName: "calculator",
        input: { expression: "1/0" },
        output: { type: "error-text", value: "Error: Division by zero" },
      },
    ]);
    const text = textOf(await collect(model, { prompt, tools: TOOLS }));
    expect(text).toBe("The calculator could not evaluate that: Division by zero.");
  });

  it("uses the call's input when the result is a bare number, and quotes unknown tools' results", async () => {
    const calc = afterToolCall("compute 7/2", [
      { toolName: "calculator", input: { expression: "7/2" }, output: { type: "text", value: "3.5" } },
    ]);
    expect(textOf(await collect(model, { prompt: calc }))).toBe("7/2 = 3.5.");
    const other = afterToolCall("look it up", [
      { toolName: "lookup", input: {}, output: { type: "text", value: "forty-two" } },
    ]);
    expect(textOf(await collect(model, { prompt: other }))).toBe("The lookup tool returned: forty-two.");
  });

  it("says it cannot tell the time when only the calculator ran", async () => {
    const prompt = afterToolCall("what is 2+2 and what time is it?", [
      {
        toolName: "calculator",
        input: { expression: "2+2" },
        output: { type: "text", value: '{"expression":"2+2","result":4}' },
      },
    ]);
    expect(textOf(await collect(model, { prompt, tools: [calculatorTool] }))).toBe(
      "2+2 = 4. I have no clock tool, so I cannot tell you the time.",
    );
  });
});

describe("OfflineDemoModel chat", () => {
  it("says what it is and restates the topic, the same way every time", async () => {
    const options = { prompt: [user("Tell me about the history of Rome")], tools: TOOLS };
    const first = await collect(model, options);
    const second = await collect(model, options);
    expect(second).toEqual(first);
    const text = textOf(first);
    expect(text).toContain("offline demo model");
    expect(text).toMatch(/OPENAI_API_KEY, ANTHROPIC_API_KEY or AGENTOS_MODEL/);
    expect(text).toContain('"history" and "Rome"');
    expect(text).toContain("cannot tell you anything reliable");
    expect(text).toContain("no earlier turns");
    const sentences = text.split(/(?<=\.) /);
    expect(sentences.length).toBeGreaterThanOrEqual(2);
    expect(sentences.length).toBeLessThanOrEqual(4);
  });

  it("counts the earlier turns it can see", async () => {
    const prompt: LanguageModelV3Prompt = [
      { role: "system", content: "You are helpful." },
      user("hello"),
      { role: "assistant", content: [{ type: "text", text: "hi" }] },
      user("and again"),
      { role: "assistant", content: [{ type: "text", text: "yes" }] },
      user("What about gardening?"),
    ];
    const text = textOf(await collect(model, { prompt }));
    expect(text).toContain("I can see 2 earlier turns in this conversation.");
    expect(text).toContain('"gardening"');
  });

  it("mentions attached files by name and media type", async () => {
    const files: LanguageModelV3FilePart[] = [
      { type: "file", filename: "report.pdf", mediaType: "application/pdf", data: "JVBERi0=" },
      { type: "file", mediaType: "image/png", data: new Uint8Array([137, 80, 78, 71]) },
      { type: "file", mediaType: "image/jpeg", data: new URL("https://example.com/photos/cat.jpg") },
    ];
    const text = textOf(await collect(model, { prompt: [user("What is in these?", files)] }));
    expect(text).toContain(
      "You attached report.pdf (application/pdf), an unnamed image/png file and cat.jpg (image/jpeg)",
    );
  });

  it("emits one text-delta per word, each with its trailing space, between text-start and text-end", async () => {
    const parts = await collect(model, { prompt: [user("Tell me a story about dragons")] });
    const types = parts.map((p) => p.type);
    const deltas = parts.filter((p) => p.type === "text-delta");
    expect(deltas.length).toBeGreaterThan(10);
    for (const d of deltas) expect(d.delta).toMatch(/^\S+\s*$/);
    expect(types.slice(0, 3)).toEqual(["stream-start", "response-metadata", "text-start"]);
    expect(types.slice(-2)).toEqual(["text-end", "finish"]);
    const ids = new Set(parts.flatMap((p) => (p.type.startsWith("text-") && "id" in p ? [p.id] : [])));
    expect(ids.size).toBe(1);
  });

  it("estimates usage as a quarter of the characters, rounded up", async () => {
    const parts = await collect(model, { prompt: [user("hello there")] }); // 11 characters
    const { usage } = finishOf(parts);
    const text = textOf(parts);
    expect(usage.inputTokens.total).toBe(3);
    expect(usage.outputTokens.total).toBe(Math.ceil(text.length / 4));
    expect(usage.outputTokens.total).toBeGreaterThan(0);
    const calls = finishOf(await collect(model, { prompt: [user("calculate 2^10")], tools: TOOLS }));
    expect(calls.usage.outputTokens.total).toBe(Math.ceil('{"expression":"2^10"}'.length / 4));
    expect(calls.usage.inputTokens.total).toBe(Math.ceil("calculate 2^10".length / 4));
  });

  it("returns the same content from doGenerate", async () => {
    const options = { prompt: [user("What is 3 * 3 and what time is it?")], tools: TOOLS };
    const streamed = await collect(model, options);
    const generated = await model.doGenerate(options);
    expect(generated.content).toEqual(callsOf(streamed));
    expect(generated.finishReason).toEqual(finishOf(streamed).finishReason);
    const chat = { prompt: [user("Good morning, how are things?")] };
    const generatedChat = await model.doGenerate(chat);
    expect(generatedChat.content).toEqual([{ type: "text", text: textOf(await collect(model, chat)) }]);
    expect(generatedChat.usage).toEqual(finishOf(await collect(model, chat)).usage);
  });
});

describe("OfflineDemoModel structured output", () => {
  it("emits JSON that validates against the requested schema", async () => {
    const schema = z.object({
      title: z.string().min(20),
      score: z.number(),
      count: z.number().int().positive(),
      done: z.boolean(),
      tags: z.array(z.string()),
      kind: z.enum(["summary", "detail"]),
      when: z.iso.datetime(),
      note: z.string().nullable(),
      author: z.object({ name: z.string(), email: z.email() }),
    });
    const jsonSchema = z.toJSONSchema(schema) as Record<string, unknown>;
    const parts = await collect(model, {
      prompt: [user("Summarise this")],
      responseFormat: { type: "json", schema: jsonSchema, name: "summary" },
    });
    const value = JSON.parse(textOf(parts));
    expect(schema.safeParse(value).success).toBe(true);
    expect(value).toMatchObject({
      score: 0,
      done: false,
      tags: [],
      kind: "summary",
      author: { email: "demo@example.com" },
    });
    expect(finishOf(parts).finishReason.unified).toBe("stop");
  });

  it("follows $ref definitions and wraps the answer when no schema is given", async () => {
    const node = z.object({
      label: z.string(),
      get children() {
        return z.array(node);
      },
    });
    const schema = z.object({ root: node });
    const parts = await collect(model, {
      prompt: [user("Build a tree")],
      responseFormat: { type: "json", schema: z.toJSONSchema(schema) as Record<string, unknown> },
    });
    expect(schema.safeParse(JSON.parse(textOf(parts))).success).toBe(true);
    const loose = JSON.parse(
      textOf(await collect(model, { prompt: [user("hi")], responseFormat: { type: "json" } })),
    );
    expect(loose.answer).toContain("offline demo model");
  });
});

describe("OfflineDemoModel cancellation", () => {
  it("errors the stream with the abort reason promptly, without waiting out the delay", async () => {
    const slow = new OfflineDemoModel({ delayMs: 200 });
    const controller = new AbortController();
    const { stream } = await slow.doStream({
      prompt: [user("Tell me about the history of Rome")],
      abortSignal: controller.signal,
    });
    const reader = stream.getReader();
    expect((await reader.read()).value?.type).toBe("stream-start");
    expect((await reader.read()).value?.type).toBe("response-metadata");
    expect((await reader.read()).value?.type).toBe("text-start");
    const reason = new Error("stopped by the user");
    setTimeout(() => controller.abort(reason), 30);
    const pending = reader.read(); // waiting out the first 200 ms delay
    const abortedAt = Date.now() + 30;
    await expect(pending).rejects.toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(100);
  });

  it("stops between words when aborted mid-answer", async () => {
    const slow = new OfflineDemoModel({ delayMs: 5 });
    const controller = new AbortController();
    const { stream } = await slow.doStream({
      prompt: [user("Tell me about the history of Rome")],
      abortSignal: controller.signal,
    });
    const seen: string[] = [];
    const reason = new Error("enough");
    await expect(
      (async () => {
        for await (const part of stream) {
          seen.push(part.type);
          if (seen.filter((t) => t === "text-delta").length === 3) controller.abort(reason);
        }
      })(),
    ).rejects.toBe(reason);
    expect(seen.filter((t) => t === "text-delta")).toHaveLength(3);
    expect(seen).not.toContain("finish");
  });

  it("rejects at once when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("too late"));
    await expect(model.doStream({ prompt: [user("hi")], abortSignal: controller.signal })).rejects.toThrow(
      "too late",
    );
    await expect(model.doGenerate({ prompt: [user("hi")], abortSignal: controller.signal })).rejects.toThrow(
      "too late",
    );
  });

  it("stops quietly when the reader cancels", async () => {
    const slow = new OfflineDemoModel({ delayMs: 5 });
    const { stream } = await slow.doStream({ prompt: [user("Tell me about the history of Rome")] });
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
  });
});

describe("the offline demo model's knowledge and memory tasks", () => {
  const searchTool: LanguageModelV3FunctionTool = {
    type: "function",
    name: "search_knowledge",
    description: "Search the knowledge base",
    inputSchema: { type: "object", properties: { query: { type: "string" } }, required: ["query"] },
  };
  const json = async (name: string, system: string, text: string) =>
    JSON.parse(
      textOf(
        await collect(model, {
          prompt: [{ role: "system", content: system }, user(text)],
          responseFormat: { type: "json", schema: { type: "object" }, name },
        }),
      ),
    );

  it("searches the knowledge base when asked about AgentOS or the docs, and not otherwise", async () => {
    const asked = callsOf(
      await collect(model, { prompt: [user("How does AgentOS store runs?")], tools: [...TOOLS, searchTool] }),
    );
    expect(asked).toMatchObject([
      { toolName: "search_knowledge", input: JSON.stringify({ query: "How does AgentOS store runs?" }) },
    ]);
    const time = callsOf(
      await collect(model, { prompt: [user("what time is it?")], tools: [...TOOLS, searchTool] }),
    );
    expect(time.map((c) => c.toolName)).toEqual(["current_time"]);
    expect(callsOf(await collect(model, { prompt: [user("tell me about the docs")], tools: TOOLS }))).toEqual(
      [],
    );
  });

  it("answers from the best passage the search returned, naming its source and the others", async () => {
    const passages = [
      { source: "docs/storage.md", content: "Runs are rows of their own.", score: 2 },
      { source: "README.md", content: "Quick start.", score: 1 },
    ];
    const found = textOf(
      await collect(model, {
        prompt: afterToolCall("How are runs stored?", [
          {
            toolName: "search_knowledge",
            input: { query: "runs" },
            output: { type: "text", value: JSON.stringify(passages) },
          },
        ]),
      }),
    );
    expect(found).toBe(
      'From the knowledge base (docs/storage.md): "Runs are rows of their own." More in README.md.',
    );
    const none = textOf(
      await collect(model, {
        prompt: afterToolCall("How are runs stored?", [
          {
            toolName: "search_knowledge",
            input: { query: "runs" },
            output: { type: "text", value: "No matching passages were found." },
          },
        ]),
      }),
    );
    expect(none).toBe("I searched the knowledge base but found nothing about that.");
  });

  it("remembers stated facts (memory_update), skipping those already known", async () => {
    const answer = await json(
      "memory_update",
      "Existing memories:\n- [m1] The user's name is Ann.",
      "Hi, my name is Ann and I like green tea and I love my dog. I live in Oslo. My favourite colour is teal. I work as a nurse.",
    );
    expect(answer).toEqual({
      add: [
        { memory: "The user's favourite colour is teal.", topics: ["preferences"] },
        { memory: "The user likes green tea.", topics: ["preferences"] },
        { memory: "The user loves their dog.", topics: ["preferences"] },
        { memory: "The user lives in Oslo.", topics: ["location"] },
        { memory: "The user works as a nurse.", topics: ["work"] },
      ],
      update: [],
      delete: [],
    });
    expect((await json("memory_update", "(none)", "What is 2 + 2?")).add).toEqual([]);
  });

  it("keeps a running summary (session_summary) of what the user said", async () => {
    const summary = await json(
      "session_summary",
      "Summarise.",
      'Previous summary: The user said: "hi".\n\nNew messages:\nUser: How does AgentOS store runs?\nAssistant: In SQLite.',
    );
    expect(summary).toEqual({
      summary: 'The user said: "hi". The user said: "How does AgentOS store runs?".',
      topics: ["agentos", "store", "runs"],
    });
  });
});
