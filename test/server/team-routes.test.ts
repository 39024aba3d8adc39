import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/index.js";
import { Team } from "../../src/team/index.js";
import { sse } from "../helpers/sse-client.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

const delegateBoth = [
  { toolCall: { name: "delegate_task_to_member", args: { member_id: "writer", task: "write" } } },
  { toolCall: { name: "delegate_task_to_member", args: { member_id: "checker", task: "check" } } },
];
const leader = new ScriptedModel({
  fallback: (call) => (call.prompt.at(-1)?.role === "tool" ? "Team answer." : delegateBoth),
});
const writer = new Agent({
  id: "writer",
  name: "Writer",
  role: "writes",
  model: new ScriptedModel({ fallback: [{ text: "draft " }, { delayMs: 20 }, { text: "text" }] }),
});
const checker = new Agent({ id: "checker", name: "Checker", model: ScriptedModel.reply("checked") });
const slowMember = new Agent({
  id: "slow",
  name: "Slow",
  model: new ScriptedModel({ fallback: [{ text: "working " }, { delayMs: 3000 }, { text: "late" }] }),
});

let t: TestOS;
let base: string;
beforeAll(async () => {
  t = await testOS({
    agents: [writer],
    teams: [
      new Team({
        id: "crew",
        name: "Crew",
        description: "Writes and checks",
        model: leader,
        members: [writer, checker],
      }),
      new Team({
        id: "patient",
        name: "Patient",
        model: new ScriptedModel({
          fallback: [
            { toolCall: { name: "delegate_task_to_member", args: { member_id: "slow", task: "wait" } } },
          ],
        }),
        members: [slowMember],
      }),
    ],
  });
  base = await t.listen();
});
afterAll(() => t.cleanup());

const inject = (opts: InjectOptions) => t.inject(opts);
const runTeam = async (team: string, body: Record<string, unknown>) =>
  (await inject({ method: "POST", url: `/teams/${team}/runs`, payload: body })).json();

describe("/teams", () => {
  it("lists teams with their members and mode; /config and /info count them", async () => {
    const body = (await inject({ method: "GET", url: "/teams" })).json();
    expect(body.teams.find((x: { id: string }) => x.id === "crew")).toEqual({
      id: "crew",
      name: "Crew",
      description: "Writes and checks",
      model: "scripted:scripted-model",
      tools: [],
      has_knowledge: false,
      has_memory: false,
      members: [
        { id: "writer", name: "Writer", type: "agent" },
        { id: "checker", name: "Checker", type: "agent" },
      ],
      mode: "coordinate",
    });
    const config = (await inject({ method: "GET", url: "/config" })).json();
    expect(config.teams).toContainEqual({ id: "crew", name: "Crew" });
    expect((await inject({ method: "GET", url: "/info" })).json().team_count).toBe(2);
  });

  it("gets one team's definition; 404 for an unknown id", async () => {
    const body = (await inject({ method: "GET", url: "/teams/crew" })).json();
    expect(body).toMatchObject({
      id: "crew",
      mode: "coordinate",
      settings: { mode: "coordinate" },
      db_id: null,
    });
    const missing = await inject({ method: "GET", url: "/teams/ghost" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: "Team with id 'ghost' not found" });
  });

  it("runs non-streamed: the answer carries member_responses; member runs are stored and linked", async () => {
    const body = await runTeam("crew", { message: "make a text" });
    expect(body).toMatchObject({ team_id: "crew", status: "COMPLETED", content: "Team answer." });
    expect(
      body.member_responses.map((m: { agent_id: string; content: string; parent_run_id: string }) => [
        m.agent_id,
        m.content,
        m.parent_run_id,
      ]),
    ).toEqual([
      ["writer", "draft text", body.run_id],
      ["checker", "checked", body.run_id],
    ]);
    const childIds = body.tools.map((x: { child_run_id: string }) => x.child_run_id);
    expect(childIds).toEqual(body.member_responses.map((m: { run_id: string }) => m.run_id));
    // A member run is an agent run of its own, nested in the team's session.
    const member = (await inject({ method: "GET", url: `/agents/writer/runs/${childIds[0]}` })).json();
    expect(member).toMatchObject({
      agent_id: "writer",
      parent_run_id: body.run_id,
      session_id: body.session_id,
    });
    const topLevel = (
      await inject({ method: "GET", url: `/agents/writer/runs?session_id=${body.session_id}` })
    ).json();
    expect(topLevel.runs).toEqual([]); // nested runs are not the agent's own runs
    const stored = (await inject({ method: "GET", url: `/teams/crew/runs/${body.run_id}` })).json();
    expect(stored.member_responses).toHaveLength(2);
    const list = (
      await inject({ method: "GET", url: `/teams/crew/runs?session_id=${body.session_id}` })
    ).json();
    expect(list.runs.map((r: { run_id: string }) => r.run_id)).toEqual([body.run_id]);
  });

  it("a team session lists by team_id and shows its own runs and messages", async () => {
    const first = await runTeam("crew", { message: "one" });
    const second = await runTeam("crew", { message: "two", session_id: first.session_id });
    const sessions = (await inject({ method: "GET", url: "/sessions?team_id=crew" })).json().sessions;
    expect(sessions.map((s: { session_id: string }) => s.session_id)).toContain(first.session_id);
    for (const s of sessions)
      expect(s).toMatchObject({ team_id: "crew", agent_id: null, workflow_id: null, session_type: "team" });
    expect((await inject({ method: "GET", url: "/sessions?team_id=patient" })).json().sessions).toEqual([]);
    const detail = (await inject({ method: "GET", url: `/sessions/${first.session_id}` })).json();
    expect(detail.runs.map((r: { run_id: string }) => r.run_id)).toEqual([first.run_id, second.run_id]);
    expect(detail.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ["user", "one"],
      ["assistant", "Team answer."],
      ["user", "two"],
      ["assistant", "Team answer."],
    ]);
    expect(detail.message_count).toBe(4);
  });

  it("refuses a missing message (422) and an unknown team (404), storing nothing", async () => {
    const before = (await inject({ method: "GET", url: "/sessions?limit=1000" })).json().sessions.length;
    const r = await inject({ method: "POST", url: "/teams/crew/runs", payload: {} });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toEqual({
      detail: [{ loc: ["body", "message"], msg: "field required", type: "missing" }],
    });
    const missing = await inject({ method: "POST", url: "/teams/ghost/runs", payload: { message: "x" } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: "Team with id 'ghost' not found" });
    const other = await runTeam("crew", { message: "x" });
    const wrong = await inject({
      method: "POST",
      url: "/teams/patient/runs",
      payload: { message: "x", session_id: other.session_id },
    });
    expect(wrong.statusCode).toBe(409);
    expect((await inject({ method: "GET", url: `/teams/crew/runs/nope` })).statusCode).toBe(404);
    expect((await inject({ method: "GET", url: `/teams/patient/runs/${other.run_id}` })).statusCode).toBe(
      404,
    );
    const after = (await inject({ method: "GET", url: "/sessions?limit=1000" })).json().sessions.length;
    expect(after).toBe(before + 1);
  });

  it("streams over SSE: team and member events interleaved, one terminal TeamRunCompleted", async () => {
    const c = await sse(`${base}/teams/crew/runs`, {
      method: "POST",
      body: JSON.stringify({ message: "go", stream: true }),
      headers: { "content-type": "application/json" },
    });
    expect(c.status).toBe(200);
    await c.done;
    const names = c.events.map((e) => e.event);
    expect(names[0]).toBe("TeamRunStarted");
    expect(names.at(-1)).toBe("TeamRunCompleted");
    expect(c.events.map((e) => Number(e.id))).toEqual(c.events.map((_, i) => i));
    const runId = c.events[0].data.run_id;
    const rootTerminals = c.events.filter(
      (e) => e.data.run_id === runId && ["TeamRunCompleted", "TeamRunError"].includes(e.event),
    );
    expect(rootTerminals).toHaveLength(1);
    const memberEvents = c.events.filter((e) => e.data.run_id !== runId);
    expect(new Set(memberEvents.map((e) => e.data.agent_id))).toEqual(new Set(["writer", "checker"]));
    for (const e of memberEvents) expect(e.data.parent_run_id).toBe(runId);
    expect(c.events.at(-1)!.data.member_responses).toHaveLength(2);
    // Reattaching replays the same stream, member events included.
    const again = await sse(`${base}/teams/crew/runs/${runId}/events?last_event_index=-1`);
    await again.done;
    expect(again.events.map((e) => e.event)).toEqual(names);
  });

  it("cancels a live team run: members end CANCELLED, the stream ends TeamRunCancelled then TeamRunCompleted", async () => {
    const c = await sse(`${base}/teams/patient/runs`, {
      method: "POST",
      body: "message=wait&stream=true",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    let memberRunId = "";
    while (!memberRunId) {
      await c.waitFor(c.events.length + 1);
      memberRunId = c.events.find((e) => e.event === "RunContent")?.data.run_id ?? "";
    }
    const runId = c.events[0].data.run_id;
    expect((await inject({ method: "GET", url: `/teams/patient/runs/${runId}` })).json().status).toBe(
      "RUNNING",
    );
    const started = Date.now();
    const cancel = await inject({ method: "POST", url: `/teams/patient/runs/${runId}/cancel` });
    expect(cancel.json()).toEqual({ run_id: runId, status: "CANCELLED" });
    await c.done;
    expect(Date.now() - started).toBeLessThan(1500);
    expect(c.events.slice(-2).map((e) => e.event)).toEqual(["TeamRunCancelled", "TeamRunCompleted"]);
    expect(c.events.find((e) => e.event === "RunCancelled")!.data.run_id).toBe(memberRunId);
    expect((await t.db.runs.get(memberRunId))!.status).toBe("CANCELLED");
    const stored = (await inject({ method: "GET", url: `/teams/patient/runs/${runId}` })).json();
    expect(stored.status).toBe("CANCELLED");
    expect(stored.member_responses[0]).toMatchObject({ run_id: memberRunId, status: "CANCELLED" });
  });

  it("runs in the background: 202 at once, then the run can be polled", async () => {
    const r = await inject({
      method: "POST",
      url: "/teams/crew/runs",
      payload: { message: "bg", background: true },
    });
    expect(r.statusCode).toBe(202);
    const { run_id, session_id, status } = r.json();
    expect(status).toBe("PENDING");
    let polled;
    for (let i = 0; i < 100; i++) {
      polled = (
        await inject({ method: "GET", url: `/teams/crew/runs/${run_id}?session_id=${session_id}` })
      ).json();
      if (polled.status === "COMPLETED") break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(polled).toMatchObject({ status: "COMPLETED", content: "Team answer." });
    expect(polled.member_responses).toHaveLength(2);
  });
});
