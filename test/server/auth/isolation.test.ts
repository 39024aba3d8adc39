import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../../src/agent/index.js";
import { ScriptedModel } from "../../../src/model/scripted-model.js";
import { testOS } from "../../helpers/test-os.js";
import type { TestOS } from "../../helpers/test-os.js";
import { TEST_SECRET, bearer, signToken } from "../../helpers/jwt.js";

const USER_SCOPES = ["agents:read", "agents:run", "sessions:read", "sessions:write", "sessions:delete"];

let t: TestOS;
let alice: Record<string, string>;
let bob: Record<string, string>;
let admin: Record<string, string>;
/** Alice's finished run and its session. */
let aRun: { run_id: string; session_id: string };
/** Alice's run that is still running. */
let aLive: { run_id: string; session_id: string };

const as = (
  who: Record<string, string>,
  method: InjectOptions["method"],
  url: string,
  payload?: Record<string, unknown>,
) => t.inject({ method, url, headers: who, ...(payload === undefined ? {} : { payload }) });

/** 404 with the same body an id that never existed gets: nothing tells B that A's data exists. */
function hidden(res: LightMyRequestResponse, detail: string): void {
  expect(res.statusCode, res.body).toBe(404);
  expect(res.json()).toEqual({ detail });
}

beforeAll(async () => {
  t = await testOS({
    agents: [
      new Agent({ id: "echo", name: "Echo", model: ScriptedModel.reply("hello") }),
      new Agent({
        id: "slow",
        name: "Slow",
        model: new ScriptedModel({
          fallback: [{ text: "started " }, { delayMs: 30_000 }, { text: "never" }],
        }),
      }),
    ],
    auth: { jwt: { verificationKey: TEST_SECRET } },
  });
  alice = bearer(await signToken(TEST_SECRET, { sub: "alice", scopes: USER_SCOPES }));
  bob = bearer(await signToken(TEST_SECRET, { sub: "bob", scopes: USER_SCOPES }));
  admin = bearer(await signToken(TEST_SECRET, { sub: "root", scopes: ["agent_os:admin"] }));
  // Alice names bob as the user: a non-admin acts as the token's user whatever the form says.
  const r = await as(alice, "POST", "/agents/echo/runs", { message: "mine", user_id: "bob" });
  expect(r.statusCode).toBe(200);
  aRun = r.json();
  const live = await as(alice, "POST", "/agents/slow/runs", { message: "long", background: true });
  expect(live.statusCode).toBe(202);
  aLive = live.json();
  await as(bob, "POST", "/agents/echo/runs", { message: "bob's own" });
});
afterAll(async () => {
  await as(alice, "POST", `/agents/slow/runs/${aLive.run_id}/cancel`);
  await t.cleanup();
});

describe("a non-admin acts as the token's user", () => {
  it("stores runs and sessions under the token's subject, not the form's user_id", async () => {
    const s = await as(alice, "GET", `/sessions/${aRun.session_id}`);
    expect(s.statusCode).toBe(200);
    expect(s.json().user_id).toBe("alice");
    expect((await as(alice, "GET", `/agents/echo/runs/${aRun.run_id}`)).json().user_id).toBe("alice");
  });

  it("lists only the caller's sessions, whatever user_id the query names", async () => {
    for (const url of ["/sessions?user_id=alice", "/sessions", "/sessions?user_id=bob"]) {
      const users = (await as(bob, "GET", url)).json().sessions.map((s: { user_id: string }) => s.user_id);
      expect(users.length, url).toBeGreaterThan(0);
      expect(new Set(users), url).toEqual(new Set(["bob"]));
    }
  });

  it("lists only the caller's runs of a component", async () => {
    const runs = (await as(bob, "GET", "/agents/echo/runs")).json().runs as {
      run_id: string;
      user_id: string;
    }[];
    expect(runs.map((r) => r.user_id)).toEqual(["bob"]);
    expect(runs.map((r) => r.run_id)).not.toContain(aRun.run_id);
    expect((await as(bob, "GET", "/agents/slow/runs")).json().runs).toEqual([]);
    // Filtered before the limit: alice's older run does not crowd bob's out of a one-run page.
    const page = (await as(bob, "GET", "/agents/echo/runs?limit=1")).json().runs as { user_id: string }[];
    expect(page.map((r) => r.user_id)).toEqual(["bob"]);
  });
});

describe("user B asking for user A's data by id gets 404 on every route", () => {
  it("GET, PATCH and DELETE /sessions/{id}, leaving the session untouched", async () => {
    hidden(await as(bob, "GET", `/sessions/${aRun.session_id}`), "Session not found");
    hidden(await as(bob, "GET", "/sessions/no-such-session"), "Session not found");
    hidden(
      await as(bob, "PATCH", `/sessions/${aRun.session_id}`, { session_name: "pwned" }),
      "Session not found",
    );
    hidden(await as(bob, "DELETE", `/sessions/${aRun.session_id}`), "Session not found");
    const still = (await as(alice, "GET", `/sessions/${aRun.session_id}`)).json();
    expect(still.session_name).not.toBe("pwned");
    expect(still.runs).toHaveLength(1);
  });

  it("GET /agents/{id}/runs/{run_id}, with and without session_id, finished and live", async () => {
    hidden(await as(bob, "GET", `/agents/echo/runs/${aRun.run_id}`), "Run not found");
    hidden(
      await as(bob, "GET", `/agents/echo/runs/${aRun.run_id}?session_id=${aRun.session_id}`),
      "Run not found",
    );
    hidden(await as(bob, "GET", `/agents/slow/runs/${aLive.run_id}`), "Run not found");
    hidden(await as(bob, "GET", "/agents/echo/runs/no-such-run"), "Run not found");
  });

  it("cancel, continue and events", async () => {
    hidden(await as(bob, "POST", `/agents/slow/runs/${aLive.run_id}/cancel`), "Run not found");
    expect((await as(alice, "GET", `/agents/slow/runs/${aLive.run_id}`)).json().status).toBe("RUNNING");
    hidden(await as(bob, "POST", `/agents/echo/runs/${aRun.run_id}/continue`), "Run not found");
    hidden(await as(bob, "GET", `/agents/echo/runs/${aRun.run_id}/events`), "Run not found");
    hidden(await as(bob, "GET", `/agents/slow/runs/${aLive.run_id}/events`), "Run not found");
  });

  it("the runs list of A's session", async () => {
    hidden(await as(bob, "GET", `/agents/echo/runs?session_id=${aRun.session_id}`), "Session not found");
    hidden(await as(bob, "GET", "/agents/echo/runs?session_id=no-such-session"), "Session not found");
  });

  it("running in A's session, which stores nothing", async () => {
    const before = (await as(admin, "GET", `/sessions/${aRun.session_id}`)).json().runs.length;
    hidden(
      await as(bob, "POST", "/agents/echo/runs", { message: "intrude", session_id: aRun.session_id }),
      "Session not found",
    );
    expect((await as(admin, "GET", `/sessions/${aRun.session_id}`)).json().runs).toHaveLength(before);
  });

  it("while A still sees all of it", async () => {
    expect(
      (await as(alice, "GET", `/agents/echo/runs?session_id=${aRun.session_id}`)).json().runs,
    ).toHaveLength(1);
    const events = await as(alice, "GET", `/agents/echo/runs/${aRun.run_id}/events`);
    expect(events.statusCode).toBe(200);
    expect(events.body).toContain("event: RunCompleted");
  });
});

describe("admins see everything", () => {
  it("reads any user's session and run, and lists by any user_id", async () => {
    expect((await as(admin, "GET", `/sessions/${aRun.session_id}`)).statusCode).toBe(200);
    expect((await as(admin, "GET", `/agents/echo/runs/${aRun.run_id}`)).statusCode).toBe(200);
    const users = (await as(admin, "GET", "/sessions?user_id=alice"))
      .json()
      .sessions.map((s: { user_id: string }) => s.user_id);
    expect(new Set(users)).toEqual(new Set(["alice"]));
    const all = (await as(admin, "GET", "/sessions"))
      .json()
      .sessions.map((s: { user_id: string }) => s.user_id);
    expect(new Set(all)).toEqual(new Set(["alice", "bob"]));
    const runs = (await as(admin, "GET", "/agents/echo/runs"))
      .json()
      .runs.map((r: { user_id: string }) => r.user_id);
    expect(new Set(runs)).toEqual(new Set(["alice", "bob"]));
  });

  it("may run for a named user", async () => {
    const r = (
      await as(admin, "POST", "/agents/echo/runs", { message: "for carol", user_id: "carol" })
    ).json();
    expect((await as(admin, "GET", `/sessions/${r.session_id}`)).json().user_id).toBe("carol");
    hidden(await as(bob, "GET", `/sessions/${r.session_id}`), "Session not found");
  });

  it("may cancel another user's live run", async () => {
    const live = (await as(alice, "POST", "/agents/slow/runs", { message: "long", background: true })).json();
    const c = await as(admin, "POST", `/agents/slow/runs/${live.run_id}/cancel`);
    expect(c.statusCode).toBe(200);
    expect(c.json().status).toBe("CANCELLED");
  });
});
