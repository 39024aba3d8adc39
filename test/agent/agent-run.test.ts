import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import type { RunEvent } from "../../src/run/index.js";
import { tool } from "../../src/tool/index.js";
import { tempSqlite } from "../helpers/temp-store.js";

const add = tool({
  name: "add",
  description: "Adds two numbers",
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => ({ sum: a + b }),
});

async function eventsOf(stream: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

let env: Awaited<ReturnType<typeof tempSqlite>>;
beforeEach(async () => {
  env = await tempSqlite();
});
afterEach(async () => {
  await env.cleanup();
});

describe("agent run loop", () => {
  it("streams text and ends with RunCompleted carrying the full content", async () => {
    const agent = new Agent({ name: "Echo", model: ScriptedModel.reply("Hello there world"), db: env.db });
    const stream = agent.run("hi");
    const events = await eventsOf(stream);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe("RunStarted");
    expect(names.at(-1)).toBe("RunCompleted");
    expect(
      events
        .filter((e) => e.event === "RunContent")
        .map((e) => (e as { content: string }).content)
        .join(""),
    ).toBe("Hello there world");
    expect((events.at(-1) as { content: string }).content).toBe("Hello there world");
    expect(events.map((e) => e.event_index)).toEqual(events.map((_, i) => i));
    const out = await stream.output;
    expect(out.status).toBe("COMPLETED");
    const stored = await env.db.runs.get(out.run_id);
    expect(stored?.status).toBe("COMPLETED");
    expect(stored?.content).toBe("Hello there world");
  });

  it("runs tool calls in parallel and feeds results back", async () => {
    let active = 0;
    let maxActive = 0;
    const slow = tool({
      name: "slow",
      description: "waits",
      input: z.object({ ms: z.number() }),
      execute: async ({ ms }) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, ms));
        active--;
        return `waited ${ms}`;
      },
    });
    const model = new ScriptedModel([
      [
        { toolCall: { name: "slow", args: { ms: 60 }, id: "c1" } },
        { toolCall: { name: "slow", args: { ms: 20 }, id: "c2" } },
      ],
      "done",
    ]);
    const agent = new Agent({ name: "T", model, tools: [slow] });
    const events = await eventsOf(agent.run("go"));
    expect(maxActive).toBe(2);
    const completed = events.filter((e) => e.event === "ToolCallCompleted") as unknown as {
      tool: { tool_call_id: string; result: string };
    }[];
    expect(completed.map((e) => e.tool.tool_call_id)).toEqual(["c2", "c1"]);
    const toolResults = model.calls[1].prompt.filter((m) => m.role === "tool");
    expect(toolResults).toHaveLength(2);
    expect(JSON.stringify(toolResults)).toContain("waited 60");
  });

  it("turns a throwing tool into an error result and goes on", async () => {
    const boom = tool({
      name: "boom",
      description: "fails",
      execute: () => {
        throw new Error("kaput");
      },
    });
    const model = new ScriptedModel([[{ toolCall: { name: "boom" } }], "recovered"]);
    const agent = new Agent({ name: "T", model, tools: [boom] });
    const stream = agent.run("go");
    const events = await eventsOf(stream);
    expect(events.find((e) => e.event === "ToolCallError")).toMatchObject({ error: "Error: kaput" });
    expect((await stream.output).content).toBe("recovered");
    expect(JSON.stringify(model.calls[1].prompt)).toContain("kaput");
  });

  it("ends with RunError when the model fails mid-stream, exactly one terminal event", async () => {
    const model = new ScriptedModel([[{ text: "partial " }, { error: "provider exploded" }]]);
    const agent = new Agent({ name: "T", model, db: env.db });
    const stream = agent.run("go");
    const events = await eventsOf(stream);
    const terminal = events.filter((e) => ["RunCompleted", "RunError", "RunCancelled"].includes(e.event));
    expect(terminal.map((e) => e.event)).toEqual(["RunError"]);
    expect(terminal[0]).toMatchObject({ content: "provider exploded" });
    const out = await stream.output;
    expect((await env.db.runs.get(out.run_id))?.status).toBe("ERROR");
  });

  it("cancels within a second through the AbortSignal, during a slow tool", async () => {
    const hang = tool({ name: "hang", description: "never ends", execute: () => new Promise(() => {}) });
    const model = new ScriptedModel([[{ toolCall: { name: "hang" } }]]);
    const agent = new Agent({ name: "T", model, tools: [hang], db: env.db });
    const ac = new AbortController();
    const stream = agent.run("go", { signal: ac.signal });
    const seen: string[] = [];
    const started = Date.now();
    for await (const e of stream) {
      seen.push(e.event);
      if (e.event === "ToolCallStarted") setTimeout(() => ac.abort(), 50);
    }
    expect(Date.now() - started).toBeLessThan(1000);
    expect(seen.slice(-2)).toEqual(["RunCancelled", "RunCompleted"]);
    expect((await stream.output).status).toBe("CANCELLED");
  });

  it("puts earlier runs of the session in context when history is on", async () => {
    const model = new ScriptedModel({ fallback: (call) => `I saw ${call.prompt.length} messages` });
    const agent = new Agent({ name: "H", model, db: env.db, addHistoryToContext: true });
    const first = await agent.run("my name is Ada").collect();
    await agent.run("what is my name?", { sessionId: first.session_id }).collect();
    expect(JSON.stringify(model.calls[1].prompt)).toContain("my name is Ada");
    const session = await env.db.sessions.get(first.session_id);
    expect(session?.run_count).toBe(2);
    expect(session?.message_count).toBe(4);
  });

  it("validates structured output against the zod schema", async () => {
    const schema = z.object({ city: z.string(), temp: z.number() });
    const ok = new Agent({
      name: "S",
      model: ScriptedModel.reply('{"city":"Oslo","temp":3}'),
      outputSchema: schema,
    });
    const out = await ok.run("weather").collect();
    expect(out.content).toEqual({ city: "Oslo", temp: 3 });
    const bad = new Agent({ name: "S", model: ScriptedModel.reply('{"city":"Oslo"}'), outputSchema: schema });
    const badOut = await bad.run("weather").collect();
    expect(badOut.status).toBe("ERROR");
    expect(badOut.error).toMatch(/temp/);
  });

  it("stops calling tools after toolCallLimit", async () => {
    const model = new ScriptedModel({
      turns: [
        [
          { toolCall: { name: "add", args: { a: 1, b: 2 } } },
          { toolCall: { name: "add", args: { a: 3, b: 4 } } },
        ],
      ],
      fallback: (call) => (call.tools ? [{ toolCall: { name: "add", args: { a: 0, b: 0 } } }] : "final"),
    });
    const agent = new Agent({ name: "L", model, tools: [add], toolCallLimit: 1 });
    const out = await agent.run("go").collect();
    expect(out.tools.filter((t) => !t.tool_call_error)).toHaveLength(1);
    expect(out.tools.find((t) => t.tool_call_error)?.result).toMatch(/limit/);
    expect(out.content).toBe("final");
  });

  it("does no I/O on construction", () => {
    const agent = new Agent({ name: "Research Assistant", model: "openai:gpt-4o", tools: [add] });
    expect(agent.id).toBe("research-assistant");
  });
});
