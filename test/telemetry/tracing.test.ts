import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/index.js";
import { Knowledge } from "../../src/knowledge/index.js";
import { Team } from "../../src/team/index.js";
import { tool } from "../../src/tool/index.js";
import { Workflow, step } from "../../src/workflow/index.js";
import { tempSqlite } from "../helpers/temp-store.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

interface SpanJson {
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  status: string;
  status_message: string | null;
  start_time: string;
  end_time: string;
  attributes: Record<string, unknown>;
}
interface TraceJson {
  trace_id: string;
  name: string;
  status: string;
  run_id: string;
  session_id: string;
  agent_id: string | null;
  team_id: string | null;
  workflow_id: string | null;
  spans: SpanJson[];
  tree?: (SpanJson & { children: unknown[] })[];
}

const add = tool({
  name: "add",
  description: "Adds two numbers",
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => ({ sum: a + b }),
});
/** Its model plays its turns once: each OS gets its own. */
const calculator = () =>
  new Agent({
    id: "calc",
    name: "Calc",
    model: new ScriptedModel({
      provider: "scripted",
      modelId: "calc-1",
      turns: [
        [{ toolCall: { name: "add", args: { a: 2, b: 3 } } }, { usage: { input: 11, output: 3 } }],
        [{ text: "five" }, { usage: { input: 20, output: 4, reasoning: 2, cacheRead: 5 } }],
      ],
      fallback: "again",
    }),
    tools: [add],
  });
const broken = new Agent({
  id: "broken",
  name: "Broken",
  model: new ScriptedModel({ fallback: [{ fail: "provider down" }] }),
});
const writer = new Agent({ id: "writer", name: "Writer", model: ScriptedModel.reply("draft") });
const checker = new Agent({ id: "checker", name: "Checker", model: ScriptedModel.reply("checked") });
const crew = new Team({
  id: "crew",
  name: "Crew",
  model: new ScriptedModel({
    fallback: (call) =>
      call.prompt.at(-1)?.role === "tool"
        ? "Team answer."
        : [
            { toolCall: { name: "delegate_task_to_member", args: { member_id: "writer", task: "write" } } },
            { toolCall: { name: "delegate_task_to_member", args: { member_id: "checker", task: "check" } } },
          ],
  }),
  members: [writer, checker],
});
const flow = new Workflow({
  id: "flow",
  name: "Flow",
  steps: [
    step({ name: "draft", agent: writer }),
    step({ name: "count", run: (s) => String(s.previousOutput).length }),
  ],
});

/** A knowledge base in its own SQLite file, holding one passage about resetting the widget. */
async function widgetManual() {
  const kdb = await tempSqlite();
  const manual = new Knowledge({ id: "manual", name: "Manual", db: kdb.db });
  await manual.insert({
    text: "To reset the widget, hold the red button for ten seconds.",
    name: "reset.md",
  });
  return { kdb, manual };
}

const byName = (t: TraceJson, name: string) => t.spans.filter((s) => s.name === name);
const one = (t: TraceJson, name: string) => {
  const found = byName(t, name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
};

// A SQLite file's traces are made and stored on a thread of their own; other stores' on the serving thread.
describe.each([
  ["on the tracing thread (SQLite file)", undefined, {}],
  ["on the serving thread (SQLite in memory)", ":memory:", {}],
  [
    "on the serving thread (SQLite file, AGENTOS_TRACING_THREAD=false)",
    undefined,
    { AGENTOS_TRACING_THREAD: "false" },
  ],
])("tracing %s", (_where, file, env) => {
  let t: TestOS;
  beforeAll(async () => {
    t = await testOS(
      {
        agents: [calculator(), broken, writer],
        teams: [crew],
        workflows: [flow],
        env: { AGENTOS_DRAIN_SECONDS: "1", ...env },
      },
      file,
    );
  });
  afterAll(() => t.cleanup());

  const run = async (path: string, message = "go", headers: Record<string, string> = {}) => {
    const res = await t.inject({ method: "POST", url: path, payload: { message }, headers });
    expect(res.statusCode, res.body).toBe(200);
    await t.os.tracing.flush();
    return res.json() as { run_id: string; metrics: Record<string, number> };
  };
  const traceOf = async (runId: string): Promise<TraceJson> => {
    const res = await t.inject({ method: "GET", url: `/traces?run_id=${runId}` });
    expect(res.statusCode).toBe(200);
    const { traces } = res.json() as { traces: TraceJson[] };
    expect(traces).toHaveLength(1);
    return traces[0]!;
  };

  it("an agent run is one trace: run span, model request spans (GenAI conventions) and tool spans under it", async () => {
    const out = await run("/agents/calc/runs");
    expect(out.metrics).toMatchObject({
      input_tokens: 31,
      output_tokens: 7,
      cache_read_tokens: 5,
      reasoning_tokens: 2,
    });
    const trace = await traceOf(out.run_id);
    expect(trace).toMatchObject({
      name: "agent.run Calc",
      status: "OK",
      agent_id: "calc",
      run_id: out.run_id,
    });
    const root = one(trace, "agent.run Calc");
    expect(root.parent_span_id).toBeNull();
    expect(root.attributes).toMatchObject({
      "agentos.run_id": out.run_id,
      "agentos.run.status": "COMPLETED",
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.agent.id": "calc",
      "gen_ai.request.model": "calc-1",
      "gen_ai.usage.input_tokens": 31,
    });
    const chats = byName(trace, "chat calc-1");
    expect(chats).toHaveLength(2);
    for (const c of chats) {
      expect(c.parent_span_id).toBe(root.span_id);
      expect(c.kind).toBe("CLIENT");
      expect(c.attributes).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.system": "scripted",
        "gen_ai.request.model": "calc-1",
      });
    }
    expect(chats.map((c) => c.attributes["gen_ai.usage.input_tokens"])).toEqual([11, 20]);
    expect(chats[1]!.attributes).toMatchObject({
      "gen_ai.usage.output_tokens": 4,
      "gen_ai.usage.cache_read.input_tokens": 5,
      "agentos.usage.reasoning_tokens": 2,
    });
    // Usage the provider did not report is absent, not zero.
    expect(chats[0]!.attributes).not.toHaveProperty("gen_ai.usage.cache_read.input_tokens");
    expect(chats[1]!.attributes).not.toHaveProperty("gen_ai.usage.cache_creation.input_tokens");
    const toolSpan = one(trace, "execute_tool add");
    expect(toolSpan.parent_span_id).toBe(root.span_id);
    expect(toolSpan.attributes).toMatchObject({
      "gen_ai.tool.name": "add",
      "gen_ai.operation.name": "execute_tool",
    });
    expect(toolSpan.status).toBe("OK");
    // The tool ran between the two model requests.
    expect(toolSpan.start_time >= chats[0]!.end_time && toolSpan.end_time <= chats[1]!.start_time).toBe(true);
    expect(trace.spans).toHaveLength(4);
  });

  it("a failed run's trace is ERROR with the message", async () => {
    const res = await t.inject({ method: "POST", url: "/agents/broken/runs", payload: { message: "x" } });
    await t.os.tracing.flush();
    const trace = await traceOf(res.json().run_id);
    expect(trace.status).toBe("ERROR");
    const root = one(trace, "agent.run Broken");
    expect(root.status_message).toContain("provider down");
    expect(
      (await t.inject({ method: "GET", url: "/traces?status=ERROR&agent_id=broken" })).json().traces,
    ).toHaveLength(1);
  });

  it("a team run nests its members' runs under the team's run span", async () => {
    const out = await run("/teams/crew/runs");
    const trace = await traceOf(out.run_id);
    expect(trace).toMatchObject({ team_id: "crew", name: "team.run Crew" });
    const root = one(trace, "team.run Crew");
    expect(root.parent_span_id).toBeNull();
    const members = [one(trace, "agent.run Writer"), one(trace, "agent.run Checker")];
    for (const m of members) {
      expect(m.parent_span_id).toBe(root.span_id);
      expect(m.attributes["agentos.parent_run_id"]).toBe(out.run_id);
      expect(m.status).toBe("OK");
      // Each member's model request sits under the member's run.
      const chats = trace.spans.filter((s) => s.name.startsWith("chat ") && s.parent_span_id === m.span_id);
      expect(chats).toHaveLength(1);
    }
    const delegations = byName(trace, "execute_tool delegate_task_to_member");
    expect(delegations).toHaveLength(2);
    for (const d of delegations) expect(d.parent_span_id).toBe(root.span_id);
    // Every span but the root has its parent in the trace: one tree.
    const ids = new Set(trace.spans.map((s) => s.span_id));
    for (const s of trace.spans) if (s !== root) expect(ids.has(s.parent_span_id!)).toBe(true);
  });

  it("a workflow run nests steps under the run and a step's agent run under its step", async () => {
    const out = await run("/workflows/flow/runs");
    const trace = await traceOf(out.run_id);
    const root = one(trace, "workflow.run Flow");
    expect(root.parent_span_id).toBeNull();
    const draft = one(trace, "workflow.step draft");
    const count = one(trace, "workflow.step count");
    expect(draft.parent_span_id).toBe(root.span_id);
    expect(count.parent_span_id).toBe(root.span_id);
    expect(count.attributes).toMatchObject({ "agentos.step_type": "function" });
    const agentRun = one(trace, "agent.run Writer");
    expect(agentRun.parent_span_id).toBe(draft.span_id);
    const detail = (await t.inject({ method: "GET", url: `/traces/${trace.trace_id}` })).json() as TraceJson;
    expect(detail.tree).toHaveLength(1);
    expect(detail.tree![0]!.span_id).toBe(root.span_id);
    expect(detail.tree![0]!.children.map((c) => (c as SpanJson).name).sort()).toEqual([
      "workflow.step count",
      "workflow.step draft",
    ]);
  });

  it("continues the caller's trace from a W3C traceparent header; a malformed one is ignored", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parent = "00f067aa0ba902b7";
    const out = await run("/agents/writer/runs", "go", { traceparent: `00-${traceId}-${parent}-01` });
    const trace = await traceOf(out.run_id);
    expect(trace.trace_id).toBe(traceId);
    expect(one(trace, "agent.run Writer").parent_span_id).toBe(parent);
    const detail = (await t.inject({ method: "GET", url: `/traces/${traceId}` })).json() as TraceJson;
    expect(detail.tree!.map((s) => s.name)).toEqual(["agent.run Writer"]);

    const bad = await run("/agents/writer/runs", "go", { traceparent: "00-zz-nope-01" });
    const fresh = await traceOf(bad.run_id);
    expect(fresh.trace_id).not.toBe(traceId);
    expect(one(fresh, "agent.run Writer").parent_span_id).toBeNull();
  });

  it("pages traces newest first with a cursor; answers 404, 400 and 422 for bad requests", async () => {
    const first = await t.inject({ method: "GET", url: "/traces?limit=2" });
    const page = first.json() as { traces: TraceJson[]; next_cursor: string };
    expect(page.traces).toHaveLength(2);
    const second = (
      await t.inject({ method: "GET", url: `/traces?limit=2&cursor=${page.next_cursor}` })
    ).json();
    expect(second.traces.map((x: TraceJson) => x.trace_id)).not.toContain(page.traces[0]!.trace_id);
    expect(
      (await t.inject({ method: "GET", url: "/traces/ffffffffffffffffffffffffffffffff" })).statusCode,
    ).toBe(404);
    expect((await t.inject({ method: "GET", url: "/traces?cursor=garbage" })).statusCode).toBe(400);
    expect((await t.inject({ method: "GET", url: "/traces?status=weird" })).statusCode).toBe(422);
    expect((await t.inject({ method: "GET", url: "/traces?limit=0" })).statusCode).toBe(422);
  });
});

describe("tracing knowledge and memory", () => {
  it("a search_knowledge call is a knowledge.search span and a memory update a memory.update span, under the run", async () => {
    const { kdb, manual } = await widgetManual();
    let turn = 0;
    const model = new ScriptedModel({
      fallback: (call) => {
        if (call.responseFormat?.type === "json")
          return JSON.stringify({
            add: [{ memory: "The user has a widget.", topics: ["widget"] }],
            update: [],
            delete: [],
          });
        return turn++ === 0
          ? [{ toolCall: { name: "search_knowledge", args: { query: "reset widget" } } }]
          : "Hold the red button.";
      },
    });
    const agent = new Agent({
      id: "support",
      name: "Support",
      model,
      knowledge: manual,
      enableUserMemories: true,
    });
    const t = await testOS({ agents: [agent] });
    try {
      const res = await t.inject({
        method: "POST",
        url: "/agents/support/runs",
        payload: { message: "How do I reset my widget?", user_id: "ann" },
      });
      expect(res.statusCode, res.body).toBe(200);
      await t.os.tracing.flush();
      const [trace] = (await t.inject({ method: "GET", url: `/traces?run_id=${res.json().run_id}` })).json()
        .traces as TraceJson[];
      const root = one(trace!, "agent.run Support");
      const search = one(trace!, "knowledge.search");
      expect(search.parent_span_id).toBe(root.span_id);
      expect(search.attributes).toMatchObject({ "gen_ai.tool.name": "search_knowledge" });
      const memory = one(trace!, "memory.update");
      expect(memory.parent_span_id).toBe(root.span_id);
      expect(memory.attributes).toMatchObject({ "agentos.memory.count": 1 });
      expect(memory.start_time >= search.end_time).toBe(true);
    } finally {
      await t.cleanup();
      await kdb.cleanup();
    }
  });
});

describe("tracing the automatic knowledge lookup", () => {
  it("is a knowledge.search span under its run, before the model request: for an agent and for a team's member", async () => {
    const { kdb, manual } = await widgetManual();
    const support = new Agent({
      id: "support",
      name: "Support",
      model: ScriptedModel.reply("Hold the red button."),
      knowledge: manual,
      searchKnowledge: false,
      addKnowledgeToContext: true,
    });
    const desk = new Team({
      id: "desk",
      name: "Desk",
      model: new ScriptedModel({
        fallback: (call) =>
          call.prompt.at(-1)?.role === "tool"
            ? "Done."
            : [
                {
                  toolCall: {
                    name: "delegate_task_to_member",
                    args: { member_id: "support", task: "reset widget" },
                  },
                },
              ],
      }),
      members: [support],
    });
    const t = await testOS({ agents: [support], teams: [desk] });
    const traceOf = async (path: string) => {
      const res = await t.inject({
        method: "POST",
        url: path,
        payload: { message: "How do I reset my widget?" },
      });
      expect(res.statusCode, res.body).toBe(200);
      await t.os.tracing.flush();
      const { traces } = (
        await t.inject({ method: "GET", url: `/traces?run_id=${res.json().run_id}` })
      ).json() as {
        traces: TraceJson[];
      };
      expect(traces).toHaveLength(1);
      return traces[0]!;
    };
    try {
      const trace = await traceOf("/agents/support/runs");
      const root = one(trace, "agent.run Support");
      const lookup = one(trace, "knowledge.search");
      expect(lookup.parent_span_id).toBe(root.span_id);
      expect(lookup.status).toBe("OK");
      expect(lookup.attributes).toEqual({
        "agentos.knowledge.automatic": true,
        "agentos.knowledge.results": 1,
      });
      const chat = trace.spans.find((s) => s.name.startsWith("chat "))!;
      expect(lookup.start_time >= root.start_time).toBe(true);
      expect(lookup.end_time <= chat.start_time).toBe(true);

      const team = await traceOf("/teams/desk/runs");
      const member = one(team, "agent.run Support");
      expect(one(team, "knowledge.search").parent_span_id).toBe(member.span_id);
    } finally {
      await t.cleanup();
      await kdb.cleanup();
    }
  });
});

describe("trace sampling", () => {
  it("OTEL_TRACES_SAMPLER=always_off records no trace, yet the run and its metrics are whole", async () => {
    const t = await testOS({ agents: [writer], env: { OTEL_TRACES_SAMPLER: "always_off" } });
    try {
      const res = await t.inject({ method: "POST", url: "/agents/writer/runs", payload: { message: "hi" } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: "COMPLETED", content: "draft" });
      await t.os.tracing.flush();
      expect((await t.inject({ method: "GET", url: "/traces" })).json().traces).toEqual([]);
      expect((await t.inject({ method: "GET", url: "/metrics" })).json().totals.runs).toBe(1);
    } finally {
      await t.cleanup();
    }
  });

  it("parentbased_always_off records only the traces a caller sampled", async () => {
    const t = await testOS({ agents: [writer], env: { OTEL_TRACES_SAMPLER: "parentbased_always_off" } });
    try {
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4737";
      for (const headers of [{}, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` }]) {
        const res = await t.inject({
          method: "POST",
          url: "/agents/writer/runs",
          payload: { message: "hi" },
          headers,
        });
        expect(res.statusCode).toBe(200);
      }
      await t.os.tracing.flush();
      const { traces } = (await t.inject({ method: "GET", url: "/traces" })).json() as {
        traces: TraceJson[];
      };
      expect(traces.map((x) => x.trace_id)).toEqual([traceId]);
    } finally {
      await t.cleanup();
    }
  });

  it("refuses to start with a sampler it does not know", async () => {
    await expect(testOS({ agents: [writer], env: { OTEL_TRACES_SAMPLER: "sometimes" } })).rejects.toThrow(
      /OTEL_TRACES_SAMPLER must be one of/,
    );
  });
});

describe("tracing turned off", () => {
  it("stores no spans", async () => {
    const t = await testOS({ agents: [writer], tracing: false });
    try {
      const res = await t.inject({ method: "POST", url: "/agents/writer/runs", payload: { message: "hi" } });
      expect(res.statusCode).toBe(200);
      await t.os.tracing.flush();
      expect((await t.inject({ method: "GET", url: "/traces" })).json().traces).toEqual([]);
      expect(t.os.tracing.enabled).toBe(false);
    } finally {
      await t.cleanup();
    }
  });

  it("AGENTOS_TRACING=false turns it off too", async () => {
    const t = await testOS({ agents: [writer], env: { AGENTOS_TRACING: "false" } });
    try {
      expect(t.os.tracing.enabled).toBe(false);
    } finally {
      await t.cleanup();
    }
  });
});
