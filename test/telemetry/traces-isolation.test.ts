import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/index.js";
import { TEST_SECRET, bearer, signToken } from "../helpers/jwt.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

const SCOPES = ["agents:run", "agents:read", "traces:read"];

describe("traces under JWT", () => {
  let t: TestOS;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let admin: Record<string, string>;
  let aliceRun: string;
  beforeAll(async () => {
    t = await testOS({
      agents: [new Agent({ id: "a", name: "A", model: ScriptedModel.reply("hi") })],
      auth: { jwt: { verificationKey: TEST_SECRET } },
    });
    alice = bearer(await signToken(TEST_SECRET, { sub: "alice", scopes: SCOPES }));
    bob = bearer(await signToken(TEST_SECRET, { sub: "bob", scopes: SCOPES }));
    admin = bearer(await signToken(TEST_SECRET, { sub: "root", scopes: ["agent_os:admin"] }));
    const res = await t.inject({
      method: "POST",
      url: "/agents/a/runs",
      payload: { message: "x" },
      headers: alice,
    });
    aliceRun = res.json().run_id;
    await t.inject({ method: "POST", url: "/agents/a/runs", payload: { message: "y" }, headers: bob });
    await t.os.tracing.flush();
  });
  afterAll(() => t.cleanup());

  it("a user lists and reads only the traces of their own runs; another user's answers 404", async () => {
    const mine = (await t.inject({ method: "GET", url: "/traces", headers: alice })).json();
    expect(mine.traces).toHaveLength(1);
    expect(mine.traces[0]).toMatchObject({ run_id: aliceRun, user_id: "alice" });
    const traceId = mine.traces[0].trace_id as string;
    expect((await t.inject({ method: "GET", url: `/traces/${traceId}`, headers: alice })).statusCode).toBe(
      200,
    );
    expect((await t.inject({ method: "GET", url: `/traces/${traceId}`, headers: bob })).statusCode).toBe(404);
    // Naming another user does not widen a non-admin's view.
    const asked = (await t.inject({ method: "GET", url: "/traces?user_id=alice", headers: bob })).json();
    expect(asked.traces.map((x: { user_id: string }) => x.user_id)).toEqual(["bob"]);
    expect(
      (await t.inject({ method: "GET", url: `/traces?run_id=${aliceRun}`, headers: bob })).json().traces,
    ).toEqual([]);
  });

  it("an admin sees every user's traces and may filter by user", async () => {
    expect((await t.inject({ method: "GET", url: "/traces", headers: admin })).json().traces).toHaveLength(2);
    const filtered = (await t.inject({ method: "GET", url: "/traces?user_id=bob", headers: admin })).json();
    expect(filtered.traces.map((x: { user_id: string }) => x.user_id)).toEqual(["bob"]);
  });

  it("needs traces:read", async () => {
    const noScope = bearer(await signToken(TEST_SECRET, { sub: "carol", scopes: ["agents:read"] }));
    expect((await t.inject({ method: "GET", url: "/traces", headers: noScope })).statusCode).toBe(403);
    expect((await t.inject({ method: "GET", url: "/traces" })).statusCode).toBe(401);
  });
});
