import type { LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { Knowledge } from "../../src/knowledge/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import type { RunEvent } from "../../src/run/index.js";
import { tool } from "../../src/tool/index.js";
import { tempSqlite } from "../helpers/temp-store.js";
import { testOS } from "../helpers/test-os.js";

let db: Awaited<ReturnType<typeof tempSqlite>>;
let k: Knowledge;
beforeAll(async () => {
  db = await tempSqlite();
  k = new Knowledge({
    id: "manual",
    name: "Manual",
    description: "The widget manual",
    db: db.db,
    maxResults: 2,
  });
  await k.insert({
    text: "To reset the widget, hold the red button for ten seconds.",
    name: "reset.md",
    metadata: { model: "w1" },
  });
  await k.insert({
    text: "The widget charges over USB-C in two hours.",
    name: "charging.md",
    metadata: { model: "w2" },
  });
});
afterAll(() => db.cleanup());

const systemOf = (call: LanguageModelV3CallOptions) =>
  call.prompt.flatMap((m) => (m.role === "system" ? [m.content] : [])).join("\n");

describe("agents with knowledge", () => {
  it("search with the search_knowledge tool; the references are on the run and in RunCompleted", async () => {
    const model = new ScriptedModel([
      [{ toolCall: { name: "search_knowledge", args: { query: "reset widget" } } }],
      "Hold the red button for ten seconds.",
    ]);
    const agent = new Agent({ name: "Support", model, knowledge: k });
    const events: RunEvent[] = [];
    const stream = agent.run("How do I reset it?", { store: db.db });
    for await (const ev of stream) events.push(ev);
    const out = await stream.output;
    expect(model.calls[0].tools?.map((t) => (t.type === "function" ? t.name : ""))).toEqual([
      "search_knowledge",
    ]);
    const result = JSON.parse(out.tools[0].result!);
    expect(result[0]).toMatchObject({ source: "reset.md", content: expect.stringContaining("red button") });
    expect(out.references).toEqual([
      {
        query: "reset widget",
        references: [
          expect.objectContaining({
            name: "reset.md",
            content_id: expect.any(String),
            score: expect.any(Number),
          }),
          expect.objectContaining({ name: "charging.md" }), // "widget" is in both; maxResults is 2
        ],
        time: expect.any(Number),
      },
    ]);
    const done = events.at(-1)!;
    expect(done.event).toBe("RunCompleted");
    expect((done as RunEvent & { references: unknown }).references).toEqual(out.references);
    expect((await db.db.runs.get(out.run_id))?.references).toEqual(out.references);
  });

  it("with addKnowledgeToContext, put the best passages into the system message before the model runs", async () => {
    const model = ScriptedModel.reply("It charges in two hours.");
    const agent = new Agent({
      name: "Context",
      model,
      instructions: "Be brief.",
      knowledge: k,
      addKnowledgeToContext: true,
      searchKnowledge: false,
    });
    const out = await agent.run("how long does charging take", { store: db.db }).collect();
    const system = systemOf(model.calls[0]);
    expect(system).toMatch(
      /Be brief\.[\s\S]*<knowledge>\n\[1\] \(source: charging\.md\)\nThe widget charges over USB-C/,
    );
    expect(model.calls[0].tools).toBeUndefined();
    expect(out.references?.[0]).toMatchObject({ query: "how long does charging take" });
  });

  it("apply the agent's knowledge filters to every search", async () => {
    const model = ScriptedModel.reply("ok");
    const agent = new Agent({
      name: "Filtered",
      model,
      knowledge: k,
      addKnowledgeToContext: true,
      knowledgeFilters: { model: "w2" },
    });
    const out = await agent.run("reset the widget with the red button", { store: db.db }).collect();
    expect((out.references as { references: { name: string }[] }[])[0].references.map((r) => r.name)).toEqual(
      ["charging.md"],
    );
  });

  it("refuse a tool of their own that clashes with search_knowledge", async () => {
    const clash = tool({ name: "search_knowledge", description: "mine", execute: () => "x" });
    const agent = new Agent({ name: "Clash", model: ScriptedModel.reply("x"), knowledge: k, tools: [clash] });
    const out = await agent.run("hi", { store: db.db }).collect();
    expect(out.status).toBe("ERROR");
    expect(out.error).toMatch(/own tool named 'search_knowledge'/);
  });

  it("served by an OS, use the OS's db for knowledge without one, the same one /knowledge shows", async () => {
    const shared = new Knowledge({ id: "shared", name: "Shared" });
    const model = new ScriptedModel([
      [{ toolCall: { name: "search_knowledge", args: { query: "penguins" } } }],
      "done",
    ]);
    const t = await testOS({ agents: [new Agent({ id: "p", name: "P", model, knowledge: shared })] });
    try {
      await shared.on(t.db).insert({ text: "Penguins live in the southern hemisphere." });
      const run = (
        await t.inject({ method: "POST", url: "/agents/p/runs", payload: { message: "penguins?" } })
      ).json();
      expect(run.references[0].references[0].content).toBe("Penguins live in the southern hemisphere.");
      const agent = (await t.inject({ url: "/agents/p" })).json();
      expect(agent.settings).toMatchObject({
        knowledge_id: "shared",
        search_knowledge: true,
        add_knowledge_to_context: false,
      });
    } finally {
      await t.cleanup();
    }
  });
});
