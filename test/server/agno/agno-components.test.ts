import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testOS } from "../../helpers/test-os.js";
import type { TestOS } from "../../helpers/test-os.js";
import { multipart } from "../../helpers/multipart.js";
import { agnoComponents, form, sseEvents } from "./agno-fixture.js";

let t: TestOS;
beforeAll(async () => {
  t = await testOS(agnoComponents());
});
afterAll(() => t.cleanup());

const get = async (url: string) => {
  const r = await t.inject({ method: "GET", url });
  return { status: r.statusCode, body: r.json() };
};
const post = (url: string, fields: Record<string, string>) =>
  t.inject({ method: "POST", url, ...form(fields) });

describe("/agno agents, teams and workflows: list and get", () => {
  it("lists agents as a bare array of AgentResponse with db_id and model {name, model, provider}", async () => {
    const { status, body } = await get("/agno/agents");
    expect(status).toBe(200);
    expect(Array.isArray(body)).toBe(true);
    expect(body.map((a: { id: string }) => a.id)).toEqual(["agno-assist", "slow", "writer"]);
    const assist = body[0];
    expect(assist).toMatchObject({
      id: "agno-assist",
      name: "Agno Assist",
      description: "Answers",
      db_id: t.db.id,
      model: { name: "scripted-model", model: "scripted-model", provider: "scripted" },
      system_message: { instructions: "Be brief." },
      sessions: { add_history_to_context: true },
    });
    // None fields dropped.
    for (const a of body) expect(JSON.stringify(a)).not.toContain(":null");
  });

  it("gets one agent, and 404 Agent not found for an unknown id", async () => {
    expect((await get("/agno/agents/writer")).body).toMatchObject({ id: "writer", name: "Writer" });
    expect(await get("/agno/agents/nope")).toEqual({ status: 404, body: { detail: "Agent not found" } });
  });

  it("lists teams with mode and members; 404 Team not found", async () => {
    const { body } = await get("/agno/teams");
    expect(body).toEqual([
      expect.objectContaining({
        id: "crew",
        name: "Crew",
        db_id: t.db.id,
        mode: "coordinate",
        model: { name: "scripted-model", model: "scripted-model", provider: "scripted" },
        members: [expect.objectContaining({ id: "writer", name: "Writer" })],
      }),
    ]);
    expect((await get("/agno/teams/crew")).body.members).toHaveLength(1);
    expect(await get("/agno/teams/nope")).toEqual({ status: 404, body: { detail: "Team not found" } });
  });

  it("lists workflows in the summary form, gets one with its steps; 404 Workflow not found", async () => {
    const { body } = await get("/agno/workflows");
    expect(body).toEqual([
      {
        id: "pipeline",
        name: "Pipeline",
        description: "Writes, then counts",
        db_id: t.db.id,
        is_factory: false,
        is_component: false,
      },
    ]);
    const detail = (await get("/agno/workflows/pipeline")).body;
    expect(detail.steps.map((s: { name: string }) => s.name)).toEqual(["write", "count"]);
    expect(await get("/agno/workflows/nope")).toEqual({
      status: 404,
      body: { detail: "Workflow not found" },
    });
  });
});

describe("/agno runs", () => {
  it("streams by default: SSE frames `event:` + compact `data:` without id lines, nulls omitted", async () => {
    const r = await post("/agno/agents/agno-assist/runs", { message: "hi" });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(r.body).not.toMatch(/^id: /m);
    expect(r.body).not.toContain("[DONE]");
    const events = sseEvents(r.body);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe("RunStarted");
    expect(names.at(-1)).toBe("RunCompleted");
    for (const e of events) {
      expect(e.data.event).toBe(e.event);
      expect(Number.isInteger(e.data.created_at)).toBe(true);
      expect(e.data.created_at).toBeLessThan(10_000_000_000); // seconds, not milliseconds
      expect(e.data.nested_depth).toBe(0);
      expect(e.data.event_index).toBeUndefined();
      expect(e.raw).not.toContain("null");
      expect(e.raw).not.toContain('", "'); // compact separators
    }
    const started = events[0].data;
    expect(started).toMatchObject({
      agent_id: "agno-assist",
      agent_name: "Agno Assist",
      model: "scripted-model",
      model_provider: "scripted",
    });
    const deltas = events.filter((e) => e.event === "RunContent").map((e) => e.data);
    expect(deltas.map((d) => d.content)).toEqual(["Hel", "lo"]);
    for (const d of deltas) expect(d).toMatchObject({ content_type: "str", workflow_agent: false });
    const completed = events.at(-1)!.data;
    expect(completed).toMatchObject({ content: "Hello", content_type: "str", run_id: started.run_id });
  });

  it("answers a RunOutput dict with stream=false; session_id '' starts a new session", async () => {
    const r = await post("/agno/agents/agno-assist/runs", { message: "hi", stream: "false", session_id: "" });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({
      agent_id: "agno-assist",
      agent_name: "Agno Assist",
      status: "COMPLETED",
      content: "Hello",
      content_type: "str",
      input: { input_content: "hi" },
      model: "scripted-model",
      model_provider: "scripted",
    });
    expect(typeof body.run_id).toBe("string");
    expect(body.session_id).toMatch(/.+/);
    expect(Number.isInteger(body.created_at)).toBe(true);
    expect(body.messages.map((m: { role: string }) => m.role)).toEqual(["user", "assistant"]);
    expect(body.metrics.total_tokens).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toContain("null");
  });

  it("keeps the session given, with its history, and accepts extra form fields as run options", async () => {
    const first = (await post("/agno/agents/agno-assist/runs", { message: "one", stream: "false" })).json();
    const second = await post("/agno/agents/agno-assist/runs", {
      message: "two",
      stream: "false",
      session_id: first.session_id,
      user_id: "ada",
      session_state: '{"mood":"calm"}',
      add_history_to_context: "true",
      monitor: "true",
      version: "3",
    });
    expect(second.statusCode).toBe(200);
    const body = second.json();
    expect(body.session_id).toBe(first.session_id);
    expect(body.session_state).toMatchObject({ mood: "calm" });
    const detail = (await get(`/agno/sessions/${first.session_id}`)).body;
    expect(detail.chat_history.map((m: { content: string }) => m.content)).toEqual([
      "one",
      "Hello",
      "two",
      "Hello",
    ]);
  });

  it("runs a new session under the session_id the client chose", async () => {
    const sid = `chosen-${Date.now()}`;
    const body = (
      await post("/agno/agents/writer/runs", { message: "x", stream: "false", session_id: sid })
    ).json();
    expect(body.session_id).toBe(sid);
  });

  it("answers 422 with FastAPI's list shape when message is missing, 404 for an unknown agent", async () => {
    const r = await post("/agno/agents/agno-assist/runs", { stream: "false" });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toEqual({
      detail: [{ type: "missing", loc: ["body", "message"], msg: "Field required", input: null }],
    });
    const unknown = await post("/agno/agents/nope/runs", { message: "hi" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ detail: "Agent not found" });
  });

  it("refuses an unsupported upload with 400 and takes a document in `files`", async () => {
    const bad = multipart({ message: "look", stream: "false" }, [
      { field: "files", name: "x.exe", type: "application/x-msdownload", data: Buffer.from("MZ") },
    ]);
    const r = await t.inject({ method: "POST", url: "/agno/agents/agno-assist/runs", ...bad });
    expect(r.statusCode).toBe(400);
    expect(typeof r.json().detail).toBe("string");
    const ok = multipart({ message: "read", stream: "false" }, [
      { field: "files", name: "notes.txt", type: "text/plain", data: Buffer.from("hello notes") },
    ]);
    const done = await t.inject({ method: "POST", url: "/agno/agents/agno-assist/runs", ...ok });
    expect(done.statusCode).toBe(200);
    expect(done.json().input.files).toEqual([
      expect.objectContaining({ mime_type: "text/plain", filename: "notes.txt" }),
    ]);
  });

  it("sends only content deltas with stream_events=false", async () => {
    const r = await post("/agno/agents/agno-assist/runs", { message: "hi", stream_events: "false" });
    expect(sseEvents(r.body).map((e) => e.event)).toEqual(["RunContent", "RunContent"]);
  });

  it("answers 202 {run_id, session_id, status} for background=true&stream=false, then polls", async () => {
    const r = await post("/agno/agents/slow/runs", { message: "hi", stream: "false", background: "true" });
    expect(r.statusCode).toBe(202);
    const { run_id, session_id, status } = r.json();
    expect(Object.keys(r.json()).sort()).toEqual(["run_id", "session_id", "status"]);
    expect(status).toBe("PENDING");
    let polled: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) {
      polled = (await get(`/agno/agents/slow/runs/${run_id}?session_id=${session_id}`)).body;
      if (polled.status === "COMPLETED") break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(polled).toMatchObject({ run_id, session_id, status: "COMPLETED", content: "one two three" });
  });

  it("gets a run only with its session_id (422 without, 404 Run not found with another)", async () => {
    const run = (await post("/agno/agents/writer/runs", { message: "x", stream: "false" })).json();
    const url = `/agno/agents/writer/runs/${run.run_id}`;
    const missing = await get(url);
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0]).toMatchObject({ loc: ["query", "session_id"], msg: "Field required" });
    expect((await get(`${url}?session_id=${run.session_id}`)).body).toMatchObject({
      run_id: run.run_id,
      content: "draft text",
    });
    expect(await get(`${url}?session_id=other`)).toEqual({ status: 404, body: { detail: "Run not found" } });
    expect(await get(`/agno/agents/writer/runs/nope?session_id=${run.session_id}`)).toEqual({
      status: 404,
      body: { detail: "Run not found" },
    });
  });

  it("lists a session's runs of the agent as RunSchema (session_id required; 404 Session not found)", async () => {
    const run = (await post("/agno/agents/writer/runs", { message: "list me", stream: "false" })).json();
    const { status, body } = await get(`/agno/agents/writer/runs?session_id=${run.session_id}`);
    expect(status).toBe(200);
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({
      run_id: run.run_id,
      agent_id: "writer",
      run_input: "list me",
      content: "draft text",
      status: "COMPLETED",
      run_response_format: "text",
    });
    expect(new Date(body[0].created_at).toISOString()).toBe(body[0].created_at);
    expect(body[0]).toHaveProperty("reasoning_content", null); // run schemas keep their None fields
    expect((await get("/agno/agents/writer/runs")).status).toBe(422);
    expect(await get("/agno/agents/writer/runs?session_id=nope")).toEqual({
      status: 404,
      body: { detail: "Session not found" },
    });
  });

  it("runs a team: Team-prefixed events with team_id, member events interleaved, full content at the end", async () => {
    const r = await post("/agno/teams/crew/runs", { message: "go" });
    const events = sseEvents(r.body);
    expect(events[0]).toMatchObject({
      event: "TeamRunStarted",
      data: { team_id: "crew", team_name: "Crew" },
    });
    expect(events.some((e) => e.event === "RunContent" && e.data.agent_id === "writer")).toBe(true);
    const last = events.at(-1)!;
    expect(last.event).toBe("TeamRunCompleted");
    expect(last.data.content).toBe("Team answer.");
    const dict = (await post("/agno/teams/crew/runs", { message: "go", stream: "false" })).json();
    expect(dict).toMatchObject({
      team_id: "crew",
      team_name: "Crew",
      content: "Team answer.",
      status: "COMPLETED",
    });
  });

  it("runs a workflow: WorkflowStarted ... WorkflowCompleted, or its dict", async () => {
    const r = await post("/agno/workflows/pipeline/runs", { message: "go" });
    const names = sseEvents(r.body).map((e) => e.event);
    expect(names[0]).toBe("WorkflowStarted");
    expect(names).toContain("StepStarted");
    expect(names.at(-1)).toBe("WorkflowCompleted");
    const dict = (await post("/agno/workflows/pipeline/runs", { message: "go", stream: "false" })).json();
    expect(dict).toMatchObject({ workflow_id: "pipeline", workflow_name: "Pipeline", content: "10 chars" });
  });
});
