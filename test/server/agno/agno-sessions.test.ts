import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sse } from "../../helpers/sse-client.js";
import { testOS } from "../../helpers/test-os.js";
import type { TestOS } from "../../helpers/test-os.js";
import { agnoComponents, form } from "./agno-fixture.js";

let t: TestOS;
let base: string;
const sessions: { agent: string[]; team: string[] } = { agent: [], team: [] };
beforeAll(async () => {
  t = await testOS(agnoComponents());
  base = await t.listen();
  for (let i = 0; i < 5; i++) {
    const r = await post("/agno/agents/writer/runs", {
      message: `question ${i}`,
      stream: "false",
      user_id: "ada",
    });
    sessions.agent.push(r.json().session_id);
  }
  const team = await post("/agno/teams/crew/runs", { message: "team work", stream: "false", user_id: "bob" });
  sessions.team.push(team.json().session_id);
});
afterAll(() => t.cleanup());

const get = async (url: string) => {
  const r = await t.inject({ method: "GET", url });
  return { status: r.statusCode, body: r.json() };
};
function post(url: string, fields: Record<string, string>) {
  return t.inject({ method: "POST", url, ...form(fields) });
}

describe("GET /agno/sessions", () => {
  it("pages 1-based with {data, meta{page, limit, total_pages, total_count, search_time_ms}}", async () => {
    const first = await get("/agno/sessions?type=agent&component_id=writer&limit=2");
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(["data", "meta"]);
    expect(first.body.meta).toEqual({
      page: 1,
      limit: 2,
      total_pages: 3,
      total_count: 5,
      search_time_ms: expect.any(Number),
    });
    // Newest first by default.
    expect(first.body.data.map((s: { session_id: string }) => s.session_id)).toEqual([
      sessions.agent[4],
      sessions.agent[3],
    ]);
    const third = await get("/agno/sessions?type=agent&component_id=writer&limit=2&page=3");
    expect(third.body.data.map((s: { session_id: string }) => s.session_id)).toEqual([sessions.agent[0]]);
    expect(third.body.meta.page).toBe(3);
  });

  it("lists SessionSchema items: name from the first message, ISO times, every key present", async () => {
    const { body } = await get("/agno/sessions?type=agent&component_id=writer&limit=1&sort_order=asc");
    const item = body.data[0];
    expect(Object.keys(item).sort()).toEqual(
      [
        "session_id",
        "session_name",
        "session_state",
        "created_at",
        "updated_at",
        "session_type",
        "user_id",
        "agent_id",
        "team_id",
        "workflow_id",
        "session_summary",
        "metrics",
        "total_tokens",
        "metadata",
      ].sort(),
    );
    expect(item).toMatchObject({
      session_id: sessions.agent[0],
      session_name: "question 0",
      session_type: "agent",
      agent_id: "writer",
      user_id: "ada",
      team_id: null,
    });
    expect(new Date(item.created_at).toISOString()).toBe(item.created_at);
  });

  it("defaults to limit 20 over every type, and filters by type, user and name", async () => {
    const all = await get("/agno/sessions");
    expect(all.body.meta).toMatchObject({ page: 1, limit: 20 });
    expect(all.body.meta.total_count).toBeGreaterThanOrEqual(6);
    const teams = await get("/agno/sessions?type=team");
    expect(teams.body.data.map((s: { session_id: string }) => s.session_id)).toEqual(sessions.team);
    expect(teams.body.data[0]).toMatchObject({ session_type: "team", team_id: "crew", agent_id: null });
    expect((await get("/agno/sessions?user_id=bob")).body.meta.total_count).toBe(1);
    await t.inject({
      method: "POST",
      url: `/agno/sessions/${sessions.agent[2]}/rename`,
      payload: { session_name: "Quarterly 50% plan" },
    });
    const named = await get("/agno/sessions?session_name=50%25%20plan");
    expect(named.body.data.map((s: { session_id: string }) => s.session_id)).toEqual([sessions.agent[2]]);
  });

  it("sorts by session_name when asked and ignores an unknown sort_by", async () => {
    const byName = await get(
      "/agno/sessions?type=agent&component_id=writer&sort_by=session_name&sort_order=desc",
    );
    expect(byName.status).toBe(200);
    const names = byName.body.data.map((s: { session_name: string }) => s.session_name);
    expect(names[0]).toBe("Quarterly 50% plan");
    const unknown = await get("/agno/sessions?sort_by=no_such_column");
    expect(unknown.status).toBe(200);
    expect(unknown.body.data.length).toBeGreaterThan(0);
  });

  it("answers 422 (list shape) for a bad page or type, 404 for an unknown db_id, 400 for table without db_id", async () => {
    for (const q of ["page=0", "limit=abc", "type=robot", "sort_order=sideways"]) {
      const r = await get(`/agno/sessions?${q}`);
      expect(r.status, q).toBe(422);
      expect(Array.isArray(r.body.detail), q).toBe(true);
      expect(r.body.detail[0]).toEqual({
        type: expect.any(String),
        loc: ["query", q.split("=")[0]],
        msg: expect.any(String),
        input: null,
      });
    }
    expect((await get(`/agno/sessions?db_id=${t.db.id}`)).status).toBe(200);
    expect((await get("/agno/sessions?db_id=elsewhere")).status).toBe(404);
    expect((await get("/agno/sessions?table=sessions")).status).toBe(400);
  });
});

describe("/agno/sessions/{id}", () => {
  it("answers the agent session detail with chat_history; a team session its team form", async () => {
    const { status, body } = await get(`/agno/sessions/${sessions.agent[0]}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      session_id: sessions.agent[0],
      agent_session_id: sessions.agent[0],
      agent_id: "writer",
      user_id: "ada",
      session_name: "question 0",
      agent_data: { agent_id: "writer", name: "Writer" },
    });
    expect(body.chat_history).toEqual([
      expect.objectContaining({ role: "user", content: "question 0" }),
      expect.objectContaining({ role: "assistant", content: "draft text" }),
    ]);
    expect(body.total_tokens).toBeGreaterThan(0);
    const team = (await get(`/agno/sessions/${sessions.team[0]}`)).body;
    expect(team).toMatchObject({ team_session_id: sessions.team[0], team_id: "crew" });
    expect((await get(`/agno/sessions/${sessions.team[0]}?type=agent`)).status).toBe(404);
    expect(await get("/agno/sessions/nope")).toEqual({ status: 404, body: { detail: "Session not found" } });
  });

  it("answers a workflow session in the workflow form, and its runs as WorkflowRunSchema", async () => {
    const run = (await post("/agno/workflows/pipeline/runs", { message: "flow", stream: "false" })).json();
    const detail = (await get(`/agno/sessions/${run.session_id}?type=workflow`)).body;
    expect(Object.keys(detail).sort()).toEqual(
      [
        "user_id",
        "workflow_id",
        "workflow_name",
        "session_id",
        "session_name",
        "session_data",
        "session_state",
        "workflow_data",
        "metadata",
        "created_at",
        "updated_at",
      ].sort(),
    );
    expect(detail).toMatchObject({
      workflow_id: "pipeline",
      workflow_name: "Pipeline",
      session_name: "flow",
    });
    const runs = (await get(`/agno/sessions/${run.session_id}/runs`)).body;
    expect(runs).toEqual([
      expect.objectContaining({
        run_id: run.run_id,
        workflow_id: "pipeline",
        run_input: "flow",
        content: "10 chars",
        content_type: "str",
        status: "COMPLETED",
      }),
    ]);
    expect(runs[0].agent_id).toBeUndefined();
  });

  it("lists the session's runs as RunSchema, with created_after/created_before", async () => {
    const { status, body } = await get(`/agno/sessions/${sessions.agent[1]}/runs`);
    expect(status).toBe(200);
    expect(body).toEqual([
      expect.objectContaining({
        run_input: "question 1",
        content: "draft text",
        agent_id: "writer",
        status: "COMPLETED",
      }),
    ]);
    const created = Date.parse(body[0].created_at) / 1000;
    expect(
      (await get(`/agno/sessions/${sessions.agent[1]}/runs?created_after=${created + 10}`)).body,
    ).toEqual([]);
    expect((await get(`/agno/sessions/${sessions.agent[1]}/runs/${body[0].run_id}`)).body.run_id).toBe(
      body[0].run_id,
    );
    expect(await get("/agno/sessions/nope/runs")).toEqual({
      status: 404,
      body: { detail: "Session not found" },
    });
  });

  it("includes a live run with its content so far, ~30 ms after RunStarted (never a list without it)", async () => {
    const stream = await sse(`${base}/agno/agents/slow/runs`, {
      method: "POST",
      body: "message=tell%20me",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    await stream.waitFor(1);
    expect(stream.events[0].event).toBe("RunStarted");
    const { run_id, session_id } = stream.events[0].data;
    await new Promise((r) => setTimeout(r, 30));
    const mid = await get(`/agno/sessions/${session_id}/runs?type=agent`);
    expect(mid.status).toBe(200);
    expect(mid.body).toEqual([
      expect.objectContaining({ run_id, status: "RUNNING", run_input: "tell me", content: "one " }),
    ]);
    await stream.done;
    const after = (await get(`/agno/sessions/${session_id}/runs`)).body;
    expect(after[0]).toMatchObject({ run_id, status: "COMPLETED", content: "one two three" });
  });

  it("renames (200 detail), patches, and refuses a rename without session_name (422)", async () => {
    const sid = sessions.agent[3];
    const r = await t.inject({
      method: "POST",
      url: `/agno/sessions/${sid}/rename`,
      payload: { session_name: "Renamed" },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ session_id: sid, session_name: "Renamed" });
    const bad = await t.inject({ method: "POST", url: `/agno/sessions/${sid}/rename`, payload: {} });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail[0]).toMatchObject({ loc: ["body", "session_name"], msg: "Field required" });
    const patched = await t.inject({
      method: "PATCH",
      url: `/agno/sessions/${sid}`,
      payload: { session_state: { step: 2 } },
    });
    expect(patched.json()).toMatchObject({ session_name: "Renamed", session_state: { step: 2 } });
    const missing = await t.inject({
      method: "POST",
      url: "/agno/sessions/nope/rename",
      payload: { session_name: "x" },
    });
    expect(missing.statusCode).toBe(404);
  });

  it("deletes one session (204, no body) and then 404s it", async () => {
    const sid = sessions.agent[4];
    const r = await t.inject({ method: "DELETE", url: `/agno/sessions/${sid}` });
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe("");
    expect((await get(`/agno/sessions/${sid}`)).status).toBe(404);
    expect((await t.inject({ method: "DELETE", url: `/agno/sessions/${sid}` })).statusCode).toBe(404);
  });

  it("bulk-deletes sessions by id and type (204); 400 when the lists differ in length", async () => {
    const mismatch = await t.inject({
      method: "DELETE",
      url: "/agno/sessions",
      payload: { session_ids: [sessions.agent[0]], session_types: [] },
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json()).toEqual({ detail: expect.any(String) });
    const r = await t.inject({
      method: "DELETE",
      url: "/agno/sessions",
      payload: {
        session_ids: [sessions.agent[0], sessions.team[0], "nope"],
        session_types: ["agent", "team", "agent"],
      },
    });
    expect(r.statusCode).toBe(204);
    expect((await get(`/agno/sessions/${sessions.agent[0]}`)).status).toBe(404);
    expect((await get(`/agno/sessions/${sessions.team[0]}`)).status).toBe(404);
  });
});

describe("/agno sessions with JWT auth", () => {
  it("keeps a non-admin to their own sessions and runs (another user's are 404), and needs sessions scopes", async () => {
    const { TEST_SECRET, bearer, signToken } = await import("../../helpers/jwt.js");
    const secured = await testOS({ ...agnoComponents(), auth: { jwt: { verificationKey: TEST_SECRET } } });
    try {
      const scopes = ["agents:run", "agents:read", "sessions:read", "sessions:delete"];
      const ann = bearer(await signToken(TEST_SECRET, { sub: "ann", scopes }));
      const ben = bearer(await signToken(TEST_SECRET, { sub: "ben", scopes }));
      const run = async (headers: Record<string, string>, user_id: string) =>
        (
          await secured.inject({
            method: "POST",
            url: "/agno/agents/writer/runs",
            payload: form({ message: "mine", stream: "false", user_id }).payload,
            headers: { ...headers, ...form({}).headers },
          })
        ).json();
      const annRun = await run(ann, "ben"); // the token's subject wins over the form's user_id
      expect(annRun.user_id).toBe("ann");
      await run(ben, "ben");
      const listed = await secured.inject({ method: "GET", url: "/agno/sessions", headers: ann });
      expect(listed.json().meta.total_count).toBe(1);
      expect(listed.json().data[0].user_id).toBe("ann");
      for (const url of [
        `/agno/sessions/${annRun.session_id}`,
        `/agno/sessions/${annRun.session_id}/runs`,
        `/agno/agents/writer/runs/${annRun.run_id}?session_id=${annRun.session_id}`,
      ]) {
        expect((await secured.inject({ method: "GET", url, headers: ann })).statusCode, url).toBe(200);
        expect((await secured.inject({ method: "GET", url, headers: ben })).statusCode, url).toBe(404);
      }
      const del = await secured.inject({
        method: "DELETE",
        url: `/agno/sessions/${annRun.session_id}`,
        headers: ben,
      });
      expect(del.statusCode).toBe(404);
      const noScope = bearer(await signToken(TEST_SECRET, { sub: "cy", scopes: ["agents:run"] }));
      const refused = await secured.inject({ method: "GET", url: "/agno/sessions", headers: noScope });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({
        detail: "Insufficient permissions. Required scope(s): sessions:read",
      });
      const anonymous = await secured.inject({ method: "GET", url: "/agno/sessions" });
      expect(anonymous.json()).toEqual({ detail: "Authorization header missing" });
    } finally {
      await secured.cleanup();
    }
  });
});

describe("/agno session history across replicas", () => {
  it("shows a run live in another process with the content it has stored so far", async () => {
    const a = await testOS(agnoComponents());
    const b = await testOS(agnoComponents(), a.db.file);
    try {
      const stream = await sse(`${await a.listen()}/agno/agents/slow/runs`, {
        method: "POST",
        body: "message=elsewhere",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      await stream.waitFor(1);
      const { run_id, session_id } = stream.events[0].data;
      let seen: any[] = [];
      for (let i = 0; i < 40; i++) {
        seen = (await b.inject({ method: "GET", url: `/agno/sessions/${session_id}/runs` })).json();
        if (seen[0]?.content) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen).toEqual([expect.objectContaining({ run_id, status: "RUNNING", run_input: "elsewhere" })]);
      expect(seen[0].content).toMatch(/^one /);
      await stream.done;
    } finally {
      await b.cleanup();
      await a.cleanup();
    }
  });
});
