import type { LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { newId } from "../../src/ids.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import type { RunEvent } from "../../src/run/index.js";
import { tempSqlite } from "../helpers/temp-store.js";
import { testOS } from "../helpers/test-os.js";

let db: Awaited<ReturnType<typeof tempSqlite>>;
beforeAll(async () => {
  db = await tempSqlite();
});
afterAll(() => db.cleanup());

const task = (call: LanguageModelV3CallOptions) =>
  call.responseFormat?.type === "json" ? call.responseFormat.name : undefined;
const systemOf = (call: LanguageModelV3CallOptions) =>
  call.prompt.flatMap((m) => (m.role === "system" ? [m.content] : [])).join("\n");
const userOf = (call: LanguageModelV3CallOptions) =>
  call.prompt
    .flatMap((m) => (m.role === "user" ? m.content.flatMap((p) => (p.type === "text" ? [p.text] : [])) : []))
    .join("\n");

async function runEvents(
  agent: Agent,
  message: string,
  options: { userId?: string; sessionId?: string } = {},
) {
  const events: RunEvent[] = [];
  const stream = agent.run(message, { store: db.db, ...options });
  for await (const ev of stream) events.push(ev);
  return { events, output: await stream.output };
}

describe("user memories (enableUserMemories)", () => {
  it("extracts memories after the answer, announces them before RunCompleted, and shows them to later runs", async () => {
    const user = `ann-${newId()}`;
    const bob = await db.db.memories.create({
      memory_id: newId(),
      user_id: `bob-${newId()}`,
      memory: "Bob's secret",
      topics: [],
      agent_id: null,
      team_id: null,
      input: null,
      created_at: Date.now(),
      updated_at: Date.now(),
    });
    let extractions = 0;
    const model = new ScriptedModel({
      fallback: (call) => {
        if (task(call) !== "memory_update") return "Nice to meet you.";
        extractions++;
        if (extractions === 1)
          return JSON.stringify({
            add: [{ memory: "The user's name is Ann.", topics: ["Name"] }],
            update: [],
            delete: [],
          });
        const id = /\[([^\]]+)\] The user's name is Ann\./.exec(systemOf(call))![1];
        return JSON.stringify({
          add: [{ memory: "The user's name is Ann.", topics: [] }], // already known: skipped
          update: [
            { memory_id: id, memory: "The user's name is Ann Lee.", topics: ["name"] },
            { memory_id: bob.memory_id, memory: "hijacked", topics: [] }, // not this user's: ignored
          ],
          delete: [bob.memory_id],
        });
      },
    });
    const agent = new Agent({ id: "mem", name: "Mem", model, enableUserMemories: true });
    const first = await runEvents(agent, "Hi, I'm Ann", { userId: user });
    const names = first.events.map((e) => e.event);
    expect(names.slice(-4)).toEqual([
      "RunContentCompleted",
      "MemoryUpdateStarted",
      "MemoryUpdateCompleted",
      "RunCompleted",
    ]);
    const completed = first.events.find((e) => e.event === "MemoryUpdateCompleted") as RunEvent & {
      memories: unknown[];
    };
    expect(completed.memories).toEqual([
      {
        memory_id: expect.any(String),
        memory: "The user's name is Ann.",
        topics: ["name"],
        updated_at: expect.stringMatching(/Z$/),
      },
    ]);
    const stored = (await db.db.memories.list({ userId: user, limit: 10, page: 1 })).memories;
    expect(stored).toMatchObject([
      { memory: "The user's name is Ann.", agent_id: "mem", input: "Hi, I'm Ann" },
    ]);
    expect(userOf(model.calls[1])).toBe("Hi, I'm Ann");

    await runEvents(agent, "Actually it's Ann Lee", { userId: user });
    const answerCall = model.calls[2];
    expect(systemOf(answerCall)).toContain("- The user's name is Ann.");
    expect(systemOf(answerCall)).not.toContain("memory_id"); // ids only when the model has memory tools
    expect(
      (await db.db.memories.list({ userId: user, limit: 10, page: 1 })).memories.map((m) => m.memory),
    ).toEqual(["The user's name is Ann Lee."]);
    expect(await db.db.memories.get(bob.memory_id)).toMatchObject({ memory: "Bob's secret" });
  });

  it("a memory model that answers badly leaves memories alone and the run completes", async () => {
    const user = `u-${newId()}`;
    const model = new ScriptedModel({ fallback: (call) => (task(call) ? "this is not JSON" : "ok") });
    const agent = new Agent({ name: "Bad memory", model, enableUserMemories: true });
    const { events, output } = await runEvents(agent, "I like tea", { userId: user });
    expect(output.status).toBe("COMPLETED");
    expect(events.find((e) => e.event === "MemoryUpdateCompleted")).toMatchObject({ memories: [] });
    expect((await db.db.memories.list({ userId: user, limit: 10, page: 1 })).total).toBe(0);
  });

  it("uses memoryModel when given, and does no memory work for a run without a user", async () => {
    const main = ScriptedModel.reply("answer");
    const memoryModel = ScriptedModel.reply(JSON.stringify({ add: [], update: [], delete: [] }));
    const agent = new Agent({ name: "Two models", model: main, memoryModel, enableUserMemories: true });
    await runEvents(agent, "hello", { userId: `u-${newId()}` });
    expect(main.calls).toHaveLength(1);
    expect(memoryModel.calls).toHaveLength(1);
    expect(memoryModel.calls[0].responseFormat).toMatchObject({ type: "json", name: "memory_update" });
    const anonymous = await runEvents(agent, "hello");
    expect(anonymous.events.some((e) => e.event.startsWith("Memory"))).toBe(false);
    expect(memoryModel.calls).toHaveLength(1);
  });
});

describe("agentic memory (enableAgenticMemory)", () => {
  it("gives the model tools to add, update and delete only this user's memories", async () => {
    const user = `u-${newId()}`;
    const other = await db.db.memories.create({
      memory_id: newId(),
      user_id: `other-${newId()}`,
      memory: "other's",
      topics: [],
      agent_id: null,
      team_id: null,
      input: null,
      created_at: Date.now(),
      updated_at: Date.now(),
    });
    const model = new ScriptedModel([
      [{ toolCall: { name: "add_memory", args: { memory: "The user likes jazz.", topics: ["music"] } } }],
      "Noted.",
      (call) => {
        const id = /The user likes jazz\. \[memory_id: ([^\]]+)\]/.exec(systemOf(call))![1];
        return [
          { toolCall: { name: "update_memory", args: { memory_id: id, memory: "The user loves jazz." } } },
          { toolCall: { name: "delete_memory", args: { memory_id: other.memory_id } } },
        ];
      },
      "Done.",
    ]);
    const agent = new Agent({ name: "Agentic", model, enableAgenticMemory: true });
    const first = await runEvents(agent, "I like jazz", { userId: user });
    expect(first.output.tools[0]).toMatchObject({ tool_name: "add_memory", tool_call_error: false });
    expect(systemOf(model.calls[0])).toMatch(/nothing yet[\s\S]*add_memory/);
    const second = await runEvents(agent, "I love it actually; and forget the other thing", { userId: user });
    const [update, del] = second.output.tools;
    expect(update).toMatchObject({ tool_name: "update_memory", tool_call_error: false });
    expect(del).toMatchObject({ tool_name: "delete_memory", tool_call_error: true });
    expect(del.result).toMatch(/no memory with id/);
    expect((await db.db.memories.list({ userId: user, limit: 10, page: 1 })).memories).toMatchObject([
      { memory: "The user loves jazz.", topics: ["music"], agent_id: "agentic" },
    ]);
    expect(await db.db.memories.get(other.memory_id)).toBeDefined();
  });
});

describe("session summaries (enableSessionSummaries)", () => {
  it("updates the session's summary after each run from the previous one, and GET /sessions shows it", async () => {
    let summaries = 0;
    const model = new ScriptedModel({
      fallback: (call) => {
        if (task(call) !== "session_summary") return "Green tea likes 80 °C.";
        summaries++;
        return JSON.stringify({ summary: `Talked about tea (${summaries}).`, topics: [" Tea ", "brewing"] });
      },
    });
    const agent = new Agent({ id: "sum", name: "Summariser", model, enableSessionSummaries: true });
    const t = await testOS({ agents: [agent] });
    try {
      const first = (
        await t.inject({
          method: "POST",
          url: "/agents/sum/runs",
          payload: { message: "How hot for green tea?", stream: "true" },
        })
      ).body;
      const frames = first
        .split("\n\n")
        .filter(Boolean)
        .map((f) => JSON.parse(f.split("\ndata: ")[1]));
      const names = frames.map((e) => e.event);
      expect(names.slice(-3)).toEqual(["SessionSummaryStarted", "SessionSummaryCompleted", "RunCompleted"]);
      expect(frames.at(-2).session_summary).toMatchObject({
        summary: "Talked about tea (1).",
        topics: ["tea", "brewing"],
      });
      const sessionId = frames[0].session_id;
      await t.inject({
        method: "POST",
        url: "/agents/sum/runs",
        payload: { message: "And black tea?", session_id: sessionId },
      });
      const summaryCall = model.calls.filter((c) => task(c) === "session_summary")[1];
      expect(userOf(summaryCall)).toBe(
        "Previous summary: Talked about tea (1).\n\nNew messages:\nUser: And black tea?\nAssistant: Green tea likes 80 °C.",
      );
      const session = (await t.inject({ url: `/sessions/${sessionId}` })).json();
      expect(session.memory).toEqual({ summary: "Talked about tea (2).", topics: ["tea", "brewing"] });
    } finally {
      await t.cleanup();
    }
  });
});
