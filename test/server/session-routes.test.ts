import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

let t: TestOS;
beforeAll(async () => {
  t = await testOS({
    agents: [
      new Agent({ id: "a1", name: "A1", model: ScriptedModel.reply("ok") }),
      new Agent({ id: "a2", name: "A2", model: ScriptedModel.reply("ok") }),
    ],
  });
});
afterAll(() => t.cleanup());

const inject = (opts: InjectOptions) => t.inject(opts);
const run = async (agent: string, body: Record<string, unknown>) =>
  (await inject({ method: "POST", url: `/agents/${agent}/runs`, payload: body })).json();

describe("/sessions", () => {
  it("lists newest first with filters and a cursor", async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++)
      made.push((await run("a1", { message: `m${i}`, user_id: i % 2 ? "bob" : "alice" })).session_id);
    await run("a2", { message: "other", user_id: "alice" });
    const all = (await inject({ method: "GET", url: "/sessions?agent_id=a1" })).json();
    expect(all.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([...made].reverse());
    expect(all.next_cursor).toBeNull();
    const item = all.sessions[0];
    expect(Object.keys(item)).toEqual(
      expect.arrayContaining([
        "session_id",
        "user_id",
        "agent_id",
        "team_id",
        "workflow_id",
        "session_name",
        "created_at",
        "updated_at",
        "message_count",
      ]),
    );
    expect(item.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(item.message_count).toBe(2);

    const page1 = (await inject({ method: "GET", url: "/sessions?agent_id=a1&limit=2" })).json();
    expect(page1.sessions).toHaveLength(2);
    const page2 = (
      await inject({ method: "GET", url: `/sessions?agent_id=a1&limit=2&cursor=${page1.next_cursor}` })
    ).json();
    const page3 = (
      await inject({ method: "GET", url: `/sessions?agent_id=a1&limit=2&cursor=${page2.next_cursor}` })
    ).json();
    expect(page3.next_cursor).toBeNull();
    expect([...page1.sessions, ...page2.sessions, ...page3.sessions].map((s) => s.session_id)).toEqual(
      [...made].reverse(),
    );

    const bob = (await inject({ method: "GET", url: "/sessions?user_id=bob" })).json();
    expect(bob.sessions.map((s: { user_id: string }) => s.user_id)).toEqual(["bob", "bob"]);
  });

  it("refuses bad paging parameters", async () => {
    expect((await inject({ method: "GET", url: "/sessions?limit=1001" })).statusCode).toBe(422);
    expect((await inject({ method: "GET", url: "/sessions?limit=0" })).json().detail[0].loc).toEqual([
      "query",
      "limit",
    ]);
    const bad = await inject({ method: "GET", url: "/sessions?cursor=garbage" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ detail: "Invalid cursor" });
  });

  it("shows a session's detail, renames it, replaces its state, deletes it", async () => {
    const r = await run("a1", { message: "hello", session_state: { n: 1 } });
    const detail = (await inject({ method: "GET", url: `/sessions/${r.session_id}` })).json();
    expect(detail).toMatchObject({
      session_id: r.session_id,
      agent_id: "a1",
      session_state: { n: 1 },
      memory: { topics: [], summary: null },
      runs: [{ run_id: r.run_id, status: "COMPLETED" }],
    });
    expect(detail.messages).toEqual([
      expect.objectContaining({ role: "user", content: "hello" }),
      expect.objectContaining({ role: "assistant", content: "ok" }),
    ]);
    expect(detail.messages[0].timestamp).toMatch(/Z$/);

    const patched = await inject({
      method: "PATCH",
      url: `/sessions/${r.session_id}`,
      payload: { session_name: "Greeting", session_state: { n: 2 } },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ session_name: "Greeting", session_state: { n: 2 } });
    const badPatch = await inject({
      method: "PATCH",
      url: `/sessions/${r.session_id}`,
      payload: { unknown_field: 1 },
    });
    expect(badPatch.statusCode).toBe(422);
    expect(
      (await inject({ method: "PATCH", url: "/sessions/nope", payload: { session_name: "x" } })).statusCode,
    ).toBe(404);

    const del = await inject({ method: "DELETE", url: `/sessions/${r.session_id}` });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe("");
    expect((await inject({ method: "GET", url: `/sessions/${r.session_id}` })).json()).toEqual({
      detail: "Session not found",
    });
    expect((await inject({ method: "DELETE", url: `/sessions/${r.session_id}` })).statusCode).toBe(404);
    expect(await t.db.runs.get(r.run_id)).toBeUndefined();
  });

  it("the session's state carries into the next run", async () => {
    const r = await run("a1", { message: "x", session_state: { cart: ["apple"] } });
    const second = await run("a1", { message: "y", session_id: r.session_id });
    expect(second.session_state).toEqual({ cart: ["apple"] });
  });
});
