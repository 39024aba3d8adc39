import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { sse } from "../helpers/sse-client.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";
import { TokenAuthenticator, userPrincipal } from "../helpers/token-auth.js";

const words = Array.from({ length: 12 }, (_, i) => [{ text: `w${i} ` }, { delayMs: 20 }]).flat();
const models = {
  slow: new ScriptedModel({ fallback: words }),
  other: new ScriptedModel({ fallback: words }),
};
const agents = () => [
  new Agent({ id: "slow", name: "Slow", model: models.slow }),
  new Agent({ id: "other", name: "Other", model: models.other }),
  new Agent({
    id: "strict",
    name: "Strict",
    model: new ScriptedModel({ fallback: words }),
    concurrentRuns: "reject",
  }),
];

let t: TestOS;
let base: string;
beforeAll(async () => {
  t = await testOS({ agents: agents() });
  base = await t.listen();
});
afterAll(() => t.cleanup());

let keys = 0;
const newKey = () => `key-${++keys}-${Date.now()}`;
const post = (agent: string, payload: Record<string, unknown>, key?: string, os: TestOS = t) =>
  os.inject({
    method: "POST",
    url: `/agents/${agent}/runs`,
    payload,
    headers: key ? { "idempotency-key": key } : {},
  } as InjectOptions);
const runsOfSession = async (session: string) =>
  (await t.inject({ method: "GET", url: `/sessions/${session}` })).json().runs;

describe("Idempotency-Key on run creation", () => {
  it("non-stream: a retry returns the first run's result and starts nothing", async () => {
    const key = newKey();
    const calls = models.slow.calls.length;
    const first = await post("slow", { message: "hello" }, key);
    const again = await post("slow", { message: "hello" }, key);
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(models.slow.calls.length - calls).toBe(1);
    expect(await runsOfSession(first.json().session_id)).toHaveLength(1);
  });

  it("background: a retry gets the same 202 body", async () => {
    const key = newKey();
    const first = await post("slow", { message: "bg", background: true }, key);
    const again = await post("slow", { message: "bg", background: true }, key);
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual(first.json());
    await t.os.runs.get(first.json().run_id)?.output;
  });

  it("stream: a retry reattaches to the first run's stream from the start, live or finished", async () => {
    const key = newKey();
    const request = {
      method: "POST",
      body: JSON.stringify({ message: "s", stream: true }),
      headers: { "content-type": "application/json", "idempotency-key": key },
    };
    const first = await sse(`${base}/agents/slow/runs`, request);
    await first.waitFor(3);
    const during = await sse(`${base}/agents/slow/runs`, request);
    await Promise.all([first.done, during.done]);
    const after = await sse(`${base}/agents/slow/runs`, request);
    await after.done;
    expect(first.events.at(-1)!.event).toBe("RunCompleted");
    for (const retry of [during, after]) {
      expect(retry.status).toBe(200);
      expect(retry.events.map((e) => e.data)).toEqual(first.events.map((e) => e.data));
    }
  });

  it("the same key with another request is 409, and nothing is started", async () => {
    const key = newKey();
    const first = await post("slow", { message: "one" }, key);
    const calls = models.slow.calls.length;
    const other = await post("slow", { message: "two" }, key);
    expect(other.statusCode).toBe(409);
    expect(other.json()).toEqual({
      detail: "This Idempotency-Key was already used with a different request",
    });
    const streamed = await post("slow", { message: "one", stream: true }, key);
    expect(streamed.statusCode).toBe(409);
    expect(models.slow.calls.length).toBe(calls);
    expect(await runsOfSession(first.json().session_id)).toHaveLength(1);
  });

  it("concurrent requests with one key create exactly one run", async () => {
    const key = newKey();
    const calls = models.slow.calls.length;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post("slow", { message: "race" }, key)),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(200));
    expect(new Set(answers.map((a) => a.json().run_id)).size).toBe(1);
    expect(models.slow.calls.length - calls).toBe(1);
  });

  it("two servers on one database: concurrent requests with one key still make one run", async () => {
    const other = await testOS({ agents: agents() }, t.db.file);
    try {
      const key = newKey();
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => post("slow", { message: "two servers" }, key, i % 2 ? other : t)),
      );
      expect(answers.map((a) => a.statusCode)).toEqual(Array(6).fill(200));
      expect(new Set(answers.map((a) => a.json().run_id)).size).toBe(1);
      expect(new Set(answers.map((a) => a.json().status))).toEqual(new Set(["COMPLETED"]));
    } finally {
      await other.cleanup();
    }
  });

  it("keys belong to a component: the same key on another agent is another run", async () => {
    const key = newKey();
    const a = await post("slow", { message: "x" }, key);
    const b = await post("other", { message: "x" }, key);
    expect(b.statusCode).toBe(200);
    expect(b.json().run_id).not.toBe(a.json().run_id);
  });

  it("a refused request frees its key, so that its retry can start the run", async () => {
    const first = await sse(`${base}/agents/strict/runs`, {
      method: "POST",
      body: JSON.stringify({ message: "busy", stream: true, session_id: "strict-session" }),
      headers: { "content-type": "application/json" },
    });
    await first.waitFor(1);
    const key = newKey();
    const refused = await post("strict", { message: "next", session_id: "strict-session" }, key);
    expect(refused.statusCode).toBe(409);
    await first.done;
    const retried = await post("strict", { message: "next", session_id: "strict-session" }, key);
    expect(retried.statusCode).toBe(200);
    expect(retried.json().status).toBe("COMPLETED");
  });

  it("a malformed key is 422 and stores nothing", async () => {
    for (const key of ["x".repeat(256), "has space", "ünï"]) {
      const r = await t.inject({
        method: "POST",
        url: "/agents/slow/runs",
        payload: { message: "x", session_id: "never-made" },
        headers: { "idempotency-key": key },
      });
      expect(r.statusCode).toBe(422);
      expect(r.json().detail[0].loc).toEqual(["header", "idempotency-key"]);
    }
    expect((await t.inject({ method: "GET", url: "/sessions/never-made" })).statusCode).toBe(404);
  });

  it("the header is in the OpenAPI document", async () => {
    const doc = (await t.inject({ method: "GET", url: "/openapi.json" })).json();
    const params = doc.paths["/agents/{agent_id}/runs"].post.parameters;
    expect(params).toContainEqual(expect.objectContaining({ in: "header", name: "idempotency-key" }));
  });
});

describe("Idempotency-Key per caller", () => {
  it("two users sending the same key and body get their own runs; a retry by each gets their own", async () => {
    const os = await testOS({
      agents: agents(),
      auth: new TokenAuthenticator({
        alice: userPrincipal("alice", ["agents:run", "agents:read"]),
        bob: userPrincipal("bob", ["agents:run", "agents:read"]),
      }),
    });
    try {
      const as = (who: string) =>
        os.inject({
          method: "POST",
          url: "/agents/slow/runs",
          payload: { message: "same" },
          headers: { authorization: `Bearer ${who}`, "idempotency-key": "shared-key" },
        });
      const [a1, b1] = [await as("alice"), await as("bob")];
      const [a2, b2] = [await as("alice"), await as("bob")];
      expect(a1.json().run_id).not.toBe(b1.json().run_id);
      expect(a2.json().run_id).toBe(a1.json().run_id);
      expect(b2.json().run_id).toBe(b1.json().run_id);
      expect(a1.json().user_id).toBe("alice");
      expect(b1.json().user_id).toBe("bob");
    } finally {
      await os.cleanup();
    }
  });
});
