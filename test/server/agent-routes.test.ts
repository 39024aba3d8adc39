import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { tool } from "../../src/tool/index.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";
import { multipart } from "../helpers/multipart.js";
import { sse } from "../helpers/sse-client.js";

const add = tool({
  name: "add",
  description: "Adds",
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});
const echoModel = new ScriptedModel({ fallback: (call) => `echo ${call.prompt.length}` });
const slowModel = new ScriptedModel({
  fallback: [{ text: "one " }, { delayMs: 100 }, { text: "two " }, { delayMs: 100 }, { text: "three" }],
});
const toolModel = new ScriptedModel({
  fallback: (call) =>
    call.prompt.at(-1)?.role === "tool"
      ? "The sum is 3."
      : [{ toolCall: { name: "add", args: { a: 1, b: 2 } } }],
});
const failingModel = new ScriptedModel({ fallback: [{ text: "half " }, { error: "upstream exploded" }] });

let t: TestOS;
let base: string;
beforeAll(async () => {
  t = await testOS({
    agents: [
      new Agent({
        id: "echo",
        name: "Echo",
        description: "Echoes",
        model: echoModel,
        addHistoryToContext: true,
      }),
      new Agent({ id: "slow", name: "Slow", model: slowModel }),
      new Agent({ id: "calc", name: "Calc", model: toolModel, tools: [add], instructions: "Add things." }),
      new Agent({ id: "broken", name: "Broken", model: failingModel }),
    ],
    limits: { maxFileBytes: 1024, maxRequestBytes: 4096 },
  });
  base = await t.listen();
});
afterAll(() => t.cleanup());

const inject = (opts: InjectOptions) => t.inject(opts);

describe("core routes", () => {
  it("GET /health is healthy", async () => {
    const r = await inject({ method: "GET", url: "/health" });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: "healthy" });
  });

  it("GET / and /info describe the OS", async () => {
    for (const url of ["/", "/info"]) {
      const body = (await inject({ method: "GET", url })).json();
      expect(body).toMatchObject({
        name: "AgentOS",
        id: "agentos",
        agent_count: 4,
        team_count: 0,
        workflow_count: 0,
        auth_mode: "none",
      });
      expect(typeof body.version).toBe("string");
    }
  });

  it("GET /config has the contract's keys", async () => {
    const body = (await inject({ method: "GET", url: "/config" })).json();
    expect(body).toMatchObject({
      id: "agentos",
      os_id: "agentos",
      databases: [t.db.id],
      teams: [],
      workflows: [],
      session: { dbs: [{ db_id: t.db.id, domain_config: { display_name: "Sessions" } }] },
      knowledge: { knowledge_instances: [] },
    });
    expect(body.agents).toContainEqual({ id: "echo", name: "Echo", model: "scripted:scripted-model" });
    expect(body.available_models).toContain("scripted:scripted-model");
  });

  it("unknown route 404, wrong method 405, trailing slash ignored", async () => {
    expect((await inject({ method: "GET", url: "/nope" })).json()).toEqual({ detail: "Not Found" });
    const wrong = await inject({ method: "DELETE", url: "/agents" });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe("GET");
    expect(wrong.json()).toEqual({ detail: "Method Not Allowed" });
    expect((await inject({ method: "GET", url: "/agents/" })).statusCode).toBe(200);
    expect((await inject({ method: "GET", url: "/agents/echo/" })).json().id).toBe("echo");
  });

  it("every response carries a request id", async () => {
    const r = await inject({ method: "GET", url: "/health", headers: { "x-request-id": "req-123" } });
    expect(r.headers["x-request-id"]).toBe("req-123");
  });
});

describe("agents", () => {
  it("lists agents in the contract shape", async () => {
    const body = (await inject({ method: "GET", url: "/agents" })).json();
    expect(body.agents).toHaveLength(4);
    expect(body.agents.find((a: { id: string }) => a.id === "calc")).toEqual({
      id: "calc",
      name: "Calc",
      description: null,
      model: "scripted:scripted-model",
      tools: ["add"],
      has_knowledge: false,
      has_memory: false,
    });
  });

  it("gets one agent with instructions and tool schemas; 404 for an unknown id", async () => {
    const body = (await inject({ method: "GET", url: "/agents/calc" })).json();
    expect(body.instructions).toBe("Add things.");
    expect(body.tool_schemas[0]).toMatchObject({
      name: "add",
      parameters: { type: "object", required: ["a", "b"] },
    });
    expect(body.db_id).toBeNull();
    const missing = await inject({ method: "GET", url: "/agents/ghost" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: "Agent with id 'ghost' not found" });
  });
});

describe("runs", () => {
  it("answers a JSON body non-streamed in the contract shape", async () => {
    const r = await inject({ method: "POST", url: "/agents/echo/runs", payload: { message: "hello" } });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    // The prompt is the system message (the description) and the user message.
    expect(body).toMatchObject({
      agent_id: "echo",
      status: "COMPLETED",
      content: "echo 2",
      model: "scripted-model",
    });
    expect(body.messages).toEqual([
      { role: "user", content: "hello" },
      { role: "assistant", content: "echo 2" },
    ]);
    expect(Object.keys(body.metrics)).toEqual(
      expect.arrayContaining([
        "time",
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "time_to_first_token",
      ]),
    );
    expect(typeof body.run_id).toBe("string");
    expect(new Date(body.created_at).toISOString()).toBe(body.created_at);
  });

  it("accepts urlencoded and multipart forms; stream=false is the default", async () => {
    const form = await inject({
      method: "POST",
      url: "/agents/echo/runs",
      payload: "message=hi+there&stream=false",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.json().status).toBe("COMPLETED");
    const mp = multipart({ message: "multi" }, []);
    const r = await inject({ method: "POST", url: "/agents/echo/runs", ...mp });
    expect(r.json().messages[0]).toEqual({ role: "user", content: "multi" });
  });

  it("a second run of a session sees the first (history) and the session shows both", async () => {
    const first = (
      await inject({ method: "POST", url: "/agents/echo/runs", payload: { message: "one" } })
    ).json();
    const second = (
      await inject({
        method: "POST",
        url: "/agents/echo/runs",
        payload: { message: "two", session_id: first.session_id },
      })
    ).json();
    // system + the first run's two messages + the new user message
    expect(second.content).toBe("echo 4");
    const session = (await inject({ method: "GET", url: `/sessions/${first.session_id}` })).json();
    expect(session.messages.map((m: { content: string }) => m.content)).toEqual([
      "one",
      "echo 2",
      "two",
      "echo 4",
    ]);
    expect(session.runs.map((r: { run_id: string }) => r.run_id)).toEqual([first.run_id, second.run_id]);
  });

  it("rejects a missing message with the 422 list shape and stores nothing", async () => {
    const before = (await inject({ method: "GET", url: "/sessions?limit=1000" })).json().sessions.length;
    const r = await inject({ method: "POST", url: "/agents/echo/runs", payload: { session_id: "s-new" } });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toEqual({
      detail: [{ loc: ["body", "message"], msg: "field required", type: "missing" }],
    });
    const bad = await inject({
      method: "POST",
      url: "/agents/echo/runs",
      payload: { message: "x", session_state: "not json" },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail[0].loc).toEqual(["body", "session_state"]);
    const after = (await inject({ method: "GET", url: "/sessions?limit=1000" })).json().sessions.length;
    expect(after).toBe(before);
  });

  it("answers malformed JSON with 400 and an unknown agent with 404", async () => {
    const r = await inject({
      method: "POST",
      url: "/agents/echo/runs",
      payload: "{nope",
      headers: { "content-type": "application/json" },
    });
    expect(r.statusCode).toBe(400);
    expect(typeof r.json().detail).toBe("string");
    const missing = await inject({ method: "POST", url: "/agents/ghost/runs", payload: { message: "x" } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: "Agent with id 'ghost' not found" });
  });

  it("runs tools and reports them", async () => {
    const body = (
      await inject({ method: "POST", url: "/agents/calc/runs", payload: { message: "1+2" } })
    ).json();
    expect(body.content).toBe("The sum is 3.");
    expect(body.tools[0]).toMatchObject({
      tool_name: "add",
      tool_args: { a: 1, b: 2 },
      result: "3",
      tool_call_error: false,
    });
    expect(body.metrics.tool_calls).toBe(1);
  });

  it("stores a model failure as ERROR with the message", async () => {
    const body = (
      await inject({ method: "POST", url: "/agents/broken/runs", payload: { message: "x" } })
    ).json();
    expect(body.status).toBe("ERROR");
    expect(body.error).toBe("upstream exploded");
  });
});

describe("uploads", () => {
  it("routes an image by MIME type to the model as a file part", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const mp = multipart({ message: "look" }, [
      { field: "files", name: "pic.png", type: "image/png", data: png },
    ]);
    const before = echoModel.calls.length;
    const r = await inject({ method: "POST", url: "/agents/echo/runs", ...mp });
    expect(r.statusCode).toBe(200);
    const prompt = echoModel.calls[before].prompt;
    const user = prompt.find((m) => m.role === "user")!;
    expect(user.content).toContainEqual(
      expect.objectContaining({
        type: "file",
        mediaType: "image/png",
        filename: "pic.png",
        data: png.toString("base64"),
      }),
    );
  });

  it("falls back to the extension when the type is generic", async () => {
    const mp = multipart({ message: "read" }, [
      { field: "images", name: "notes.md", type: "application/octet-stream", data: Buffer.from("# hi") },
    ]);
    const before = echoModel.calls.length;
    expect((await inject({ method: "POST", url: "/agents/echo/runs", ...mp })).statusCode).toBe(200);
    expect(JSON.stringify(echoModel.calls[before].prompt)).toContain('"mediaType":"text/markdown"');
  });

  it("refuses unsupported types (400), empty files (400) and oversize files and bodies (413), storing nothing", async () => {
    const before = (await inject({ method: "GET", url: "/sessions?limit=1000" })).json().sessions.length;
    const exe = multipart({ message: "x" }, [
      { field: "files", name: "a.exe", type: "application/x-msdownload", data: Buffer.from("MZ") },
    ]);
    const r1 = await inject({ method: "POST", url: "/agents/echo/runs", ...exe });
    expect(r1.statusCode).toBe(400);
    expect(r1.json().detail).toMatch(/Unsupported file type/);
    const empty = multipart({ message: "x" }, [
      { field: "files", name: "a.txt", type: "text/plain", data: Buffer.alloc(0) },
    ]);
    expect((await inject({ method: "POST", url: "/agents/echo/runs", ...empty })).statusCode).toBe(400);
    const big = multipart({ message: "x" }, [
      { field: "files", name: "a.txt", type: "text/plain", data: Buffer.alloc(2000, 65) },
    ]);
    const r3 = await inject({ method: "POST", url: "/agents/echo/runs", ...big });
    expect(r3.statusCode).toBe(413);
    expect(r3.json().detail).toMatch(/larger than the limit/);
    const huge = await inject({
      method: "POST",
      url: "/agents/echo/runs",
      payload: { message: "x".repeat(5000) },
    });
    expect(huge.statusCode).toBe(413);
    const after = (await inject({ method: "GET", url: "/sessions?limit=1000" })).json().sessions.length;
    expect(after).toBe(before);
  });
});

describe("streaming over a real socket", () => {
  it("frames events with id, event and data; ends with one terminal RunCompleted after the run is stored", async () => {
    const c = await sse(`${base}/agents/slow/runs`, {
      method: "POST",
      body: JSON.stringify({ message: "go", stream: true }),
      headers: { "content-type": "application/json" },
    });
    expect(c.status).toBe(200);
    expect(c.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(c.headers["cache-control"]).toBe("no-cache");
    expect(c.headers["x-accel-buffering"]).toBe("no");
    await c.done;
    const names = c.events.map((e) => e.event);
    expect(names[0]).toBe("RunStarted");
    expect(names.at(-1)).toBe("RunCompleted");
    expect(names.filter((n) => ["RunCompleted", "RunError", "RunPaused"].includes(n))).toHaveLength(1);
    expect(c.events.map((e) => Number(e.id))).toEqual(c.events.map((_, i) => i));
    for (const e of c.events) {
      expect(e.data.event).toBe(e.event);
      expect(e.data.event_index).toBe(Number(e.id));
      expect(e.data).toMatchObject({ agent_id: "slow", agent_name: "Slow" });
      expect(typeof e.data.created_at).toBe("number");
    }
    const done = c.events.at(-1)!.data;
    expect(done.content).toBe("one two three");
    const stored = (await inject({ method: "GET", url: `/agents/slow/runs/${done.run_id}` })).json();
    expect(stored.status).toBe("COMPLETED");
  });

  it("ends with RunError when the model fails mid-stream", async () => {
    const c = await sse(`${base}/agents/broken/runs`, {
      method: "POST",
      body: "message=x&stream=true",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    await c.done;
    expect(c.events.map((e) => e.event).slice(-1)).toEqual(["RunError"]);
    expect(c.events.at(-1)!.data.content).toBe("upstream exploded");
  });

  it("cancels a live run: the stream ends RunCancelled then RunCompleted, status CANCELLED", async () => {
    const c = await sse(`${base}/agents/slow/runs`, {
      method: "POST",
      body: "message=x&stream=true",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    await c.waitFor(2);
    const runId = c.events[0].data.run_id;
    const during = (await inject({ method: "GET", url: `/agents/slow/runs/${runId}` })).json();
    expect(during.status).toBe("RUNNING");
    const started = Date.now();
    const cancel = await inject({ method: "POST", url: `/agents/slow/runs/${runId}/cancel` });
    expect(cancel.json()).toEqual({ run_id: runId, status: "CANCELLED" });
    await c.done;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(c.events.map((e) => e.event).slice(-2)).toEqual(["RunCancelled", "RunCompleted"]);
    const again = await inject({ method: "POST", url: `/agents/slow/runs/${runId}/cancel` });
    expect(again.json()).toEqual({ run_id: runId, status: "CANCELLED" });
  });

  it("reattaches with Last-Event-ID and replays only later events", async () => {
    const c = await sse(`${base}/agents/slow/runs`, {
      method: "POST",
      body: "message=x&stream=true",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    await c.waitFor(3);
    const runId = c.events[0].data.run_id;
    const lastId = c.events[2].id!;
    c.close();
    const again = await sse(`${base}/agents/slow/runs/${runId}/events`, {
      headers: { "last-event-id": lastId },
    });
    await again.done;
    expect(Number(again.events[0].id)).toBe(Number(lastId) + 1);
    expect(again.events.at(-1)!.event).toBe("RunCompleted");
    const after = await sse(`${base}/agents/slow/runs/${runId}/events?last_event_index=-1`);
    await after.done;
    expect(after.events.map((e) => Number(e.id))).toEqual(after.events.map((_, i) => i));
    expect(after.events.at(-1)!.data.content).toBe("one two three");
  });

  it("background runs answer 202 at once and can be polled", async () => {
    const r = await inject({
      method: "POST",
      url: "/agents/slow/runs",
      payload: { message: "bg", background: true },
    });
    expect(r.statusCode).toBe(202);
    const { run_id, session_id, status } = r.json();
    expect(status).toBe("PENDING");
    let polled;
    for (let i = 0; i < 50; i++) {
      polled = (
        await inject({ method: "GET", url: `/agents/slow/runs/${run_id}?session_id=${session_id}` })
      ).json();
      if (polled.status === "COMPLETED") break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(polled.status).toBe("COMPLETED");
    const list = (await inject({ method: "GET", url: `/agents/slow/runs?session_id=${session_id}` })).json();
    expect(list.runs.map((x: { run_id: string }) => x.run_id)).toEqual([run_id]);
  });

  it("run lookups are scoped to their agent; continue on a run that is not paused is 409", async () => {
    const run = (
      await inject({ method: "POST", url: "/agents/echo/runs", payload: { message: "x" } })
    ).json();
    expect((await inject({ method: "GET", url: `/agents/calc/runs/${run.run_id}` })).statusCode).toBe(404);
    expect((await inject({ method: "GET", url: `/agents/echo/runs/nope` })).json()).toEqual({
      detail: "Run not found",
    });
    expect(
      (await inject({ method: "GET", url: `/agents/echo/runs/${run.run_id}?session_id=other` })).statusCode,
    ).toBe(404);
    const cont = await inject({ method: "POST", url: `/agents/echo/runs/${run.run_id}/continue` });
    expect(cont.statusCode).toBe(409);
    expect(cont.json().detail).toMatch(/not paused/);
    expect((await inject({ method: "GET", url: `/agents/echo/runs?session_id=missing` })).statusCode).toBe(
      404,
    );
  });

  it("a session of one agent cannot be used by another (409)", async () => {
    const run = (
      await inject({ method: "POST", url: "/agents/echo/runs", payload: { message: "x" } })
    ).json();
    const r = await inject({
      method: "POST",
      url: "/agents/calc/runs",
      payload: { message: "x", session_id: run.session_id },
    });
    expect(r.statusCode).toBe(409);
    expect(r.json().detail).toMatch(/belongs to agent 'echo'/);
  });
});
