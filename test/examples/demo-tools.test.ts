import type { LanguageModelV3Message, LanguageModelV3StreamPart } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { calculator, evaluate } from "../../examples/demo/tools/calculator.js";
import { currentTime } from "../../examples/demo/tools/clock.js";
import { OfflineDemoModel } from "../../src/model/offline-demo-model.js";
import type { ToolContext } from "../../src/tool/index.js";

const ctx: ToolContext = {
  signal: new AbortController().signal,
  runId: "run-1",
  sessionId: "session-1",
  sessionState: {},
  dependencies: {},
  componentId: "assistant",
  toolCallId: "call-1",
};

const calc = (expression: string) => calculator.execute({ expression }, ctx);

describe("calculator", () => {
  it("returns the expression and its result", async () => {
    expect(await calc("12 * (3 + 4)")).toEqual({ expression: "12 * (3 + 4)", result: 84 });
  });

  it.each([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["10 - 4 - 3", 3],
    ["100 / 10 / 5", 2],
    ["7 / 2", 3.5],
    ["17 % 5 * 2", 4],
    ["2 + 3 ^ 2", 11],
    ["2 * 3 ^ 2", 18],
  ])("honours precedence and left associativity: %s = %d", (expression, result) => {
    expect(evaluate(expression)).toBe(result);
  });

  it("makes ^ right-associative and binds it tighter than unary minus", () => {
    expect(evaluate("2^3^2")).toBe(512);
    expect(evaluate("(2^3)^2")).toBe(64);
    expect(evaluate("-2^2")).toBe(-4);
    expect(evaluate("(-2)^2")).toBe(4);
    expect(evaluate("2^-1")).toBe(0.5);
    expect(evaluate("2**10")).toBe(1024);
  });

  it("handles unary minus and plus, nested parentheses and decimals", () => {
    expect(evaluate("-3 + 5")).toBe(2);
    expect(evaluate("--3")).toBe(3);
    expect(evaluate("4 * -2")).toBe(-8);
    expect(evaluate("+5 - -5")).toBe(10);
    expect(evaluate("((1 + 2) * (3 + (4 - 1)))")).toBe(18);
    expect(evaluate("0.5 + .25 + 1.")).toBe(1.75);
    expect(evaluate("0.1 + 0.2")).toBe(0.3);
    expect(evaluate("1.5e3 / 3")).toBe(500);
    expect(evaluate("-0 * 5")).toBe(0);
    expect(Object.is(evaluate("-0 * 5"), -0)).toBe(false);
  });

  it("knows sqrt, abs, round, floor, ceil, pi and e", () => {
    expect(evaluate("sqrt(16) + abs(-3)")).toBe(7);
    expect(evaluate("round(2.5) + floor(2.7) + ceil(2.1)")).toBe(8);
    expect(evaluate("round(pi * 100) / 100")).toBe(3.14);
    expect(evaluate("floor(e * 1000)")).toBe(2718);
    expect(evaluate("SQRT(9) * PI / pi")).toBe(3);
    expect(evaluate("sqrt(sqrt(256))")).toBe(4);
  });

  it.each([
    ["1 / 0", "Division by zero"],
    ["5 % (2 - 2)", "Division by zero"],
    ["", "The expression is empty"],
    ["   ", "The expression is empty"],
    ["(1 + 2", "Missing ')' at end of expression"],
    ["1 + 2)", "Unexpected ')' at position 6"],
    ["2 3", "Unexpected '3' at position 3"],
    ["1 +", "Unexpected end of expression"],
    ["* 2", "Unexpected '*' at position 1"],
    ["1 + $", "Unexpected character '$' at position 5"],
    ["foo(2)", "Unknown identifier 'foo'"],
    ["sqrt 4", "Expected '(' after sqrt"],
    ["sqrt(-4)", "Cannot take the square root of a negative number (-4)"],
    ["10^400", "The result is too large to represent"],
    ["(-8)^(1/3)", "The result is not a real number"],
  ])("rejects %j with a clear message", async (expression, message) => {
    await expect(async () => calc(expression)).rejects.toThrow(message);
  });

  it.each([
    "process.exit(1)",
    "constructor",
    "__proto__",
    "toString()",
    "globalThis",
    "Math.PI",
    "this",
    "require('fs')",
    "x => 1",
    "1; 2",
    "'a' + 1",
    "[1][0]",
  ])("gives %j no access to anything beyond its own functions", (expression) => {
    expect(() => evaluate(expression)).toThrow(/Unknown identifier|Unexpected character/);
  });

  it("names the unknown identifier", () => {
    expect(() => evaluate("process.exit(1)")).toThrow("Unknown identifier 'process.exit'");
    expect(() => evaluate("constructor")).toThrow("Unknown identifier 'constructor'");
  });

  it("refuses expressions nested too deeply instead of overflowing the stack", () => {
    expect(() => evaluate(`${"(".repeat(150)}1${")".repeat(150)}`)).toThrow("nested too deeply");
    expect(() => evaluate(`${"-".repeat(150)}1`)).toThrow("nested too deeply");
    expect(evaluate(`${"(".repeat(50)}1${")".repeat(50)}`)).toBe(1);
  });

  it("declares its input: an expression of at most 500 characters", () => {
    expect(calculator.name).toBe("calculator");
    expect(calculator.input.safeParse({ expression: "1+1" }).success).toBe(true);
    expect(calculator.input.safeParse({ expression: "1".repeat(501) }).success).toBe(false);
    expect(calculator.input.safeParse({}).success).toBe(false);
    expect(calculator.jsonSchema()).toMatchObject({
      type: "object",
      properties: { expression: { type: "string", maxLength: 500 } },
      required: ["expression"],
    });
  });
});

describe("current_time", () => {
  it("returns the time now as ISO, in the given timezone", async () => {
    const before = Date.now();
    const out = (await currentTime.execute({ timezone: "Asia/Tokyo" }, ctx)) as {
      iso: string;
      timezone: string;
      local: string;
    };
    const after = Date.now();
    expect(out.timezone).toBe("Asia/Tokyo");
    expect(out.iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const at = Date.parse(out.iso);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
    const tokyo = new Intl.DateTimeFormat("en-US", {
      timeZone: "Asia/Tokyo",
      dateStyle: "full",
      timeStyle: "long",
    }).format(new Date(at));
    expect(out.local).toBe(tokyo);
    expect(out.local).toContain("GMT+9");
  });

  it("normalises the timezone name and defaults to the server's", async () => {
    const utc = (await currentTime.execute({ timezone: "utc" }, ctx)) as { timezone: string; local: string };
    expect(utc.timezone).toBe("UTC");
    expect(utc.local).toMatch(/UTC$/);
    const local = (await currentTime.execute({}, ctx)) as { timezone: string };
    expect(local.timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it.each(["Mars/Olympus_Mons", "", "Not a zone"])(
    "rejects the invalid timezone %j with a clear error",
    async (timezone) => {
      await expect(async () => currentTime.execute({ timezone }, ctx)).rejects.toThrow(
        `Unknown timezone '${timezone}'; use an IANA name such as 'Europe/Paris'`,
      );
    },
  );

  it("declares an optional timezone", () => {
    expect(currentTime.name).toBe("current_time");
    expect(currentTime.input.safeParse({}).success).toBe(true);
    expect(currentTime.input.safeParse({ timezone: 3 }).success).toBe(false);
  });
});

describe("the offline model with the demo tools", () => {
  async function turn(
    model: OfflineDemoModel,
    prompt: LanguageModelV3Message[],
  ): Promise<LanguageModelV3StreamPart[]> {
    const tools = [calculator, currentTime].map((t) => ({
      type: "function" as const,
      name: t.name,
      description: t.description,
      inputSchema: t.jsonSchema(),
    }));
    const { stream } = await model.doStream({ prompt, tools });
    const parts: LanguageModelV3StreamPart[] = [];
    for await (const part of stream) parts.push(part);
    return parts;
  }

  it("calls the calculator, runs it, and answers with the result", async () => {
    const model = new OfflineDemoModel({ delayMs: 0 });
    const prompt: LanguageModelV3Message[] = [
      { role: "user", content: [{ type: "text", text: "What is 12 * (3 + 4)?" }] },
    ];
    const calls = (await turn(model, prompt)).flatMap((p) => (p.type === "tool-call" ? [p] : []));
    expect(calls).toHaveLength(1);
    const input = calculator.input.parse(JSON.parse(calls[0].input));
    const result = await calculator.execute(input, ctx);
    prompt.push(
      {
        role: "assistant",
        content: [{ type: "tool-call", toolCallId: calls[0].toolCallId, toolName: calls[0].toolName, input }],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: calls[0].toolCallId,
            toolName: "calculator",
            output: { type: "text", value: JSON.stringify(result) },
          },
        ],
      },
    );
    const answer = (await turn(model, prompt))
      .flatMap((p) => (p.type === "text-delta" ? [p.delta] : []))
      .join("");
    expect(answer).toBe("12 * (3 + 4) = 84.");
  });
});
