import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { testOS } from "../helpers/test-os.js";
import { TokenAuthenticator, userPrincipal as user } from "../helpers/token-auth.js";
import type { TestOS } from "../helpers/test-os.js";
import { wsConnect } from "../helpers/ws-client.js";

const slowSteps = Array.from({ length: 30 }, (_, i) => [{ text: `w${i} ` }, { delayMs: 30 }]).flat();

let t: TestOS;
let ws: string;
let secured: TestOS;
let securedWs: string;
beforeAll(async () => {
  const agents = () => [
    new Agent({ id: "echo", name: "Echo", model: ScriptedModel.reply("hello there") }),
    new Agent({ id: "slow", name: "Slow", model: new ScriptedModel({ fallback: slowSteps }) }),
    new Agent({
      id: "leaver",
      name: "Leaver",
      model: new ScriptedModel({ fallback: slowSteps }),
      onDisconnect: "cancel",
    }),
  ];
  t = await testOS({ agents: agents(), sseKeepAliveMs: 150 });
  ws = (await t.listen()).replace(/^http/, "ws");
  secured = await testOS({
    agents: agents(),
    auth: new TokenAuthenticator({
      runner: user("u1", ["agents:run", "agents:read"]),
      reader: user("u2", ["agents:read"]),
      echoOnly: user("u3", ["agents:echo:run"]),
    }),
  });
  securedWs = (await secured.listen()).replace(/^http/, "ws");
});
afterAll(async () => {
  await t.cleanup();
  await secured.cleanup();
});

const isTerminal = (f: { event: string }) => ["RunCompleted", "RunError"].includes(f.event);

describe("WebSocket runs", () => {
  it("sends each run event as one JSON frame, the same objects as SSE, ending with RunCompleted", async () => {
    const c = await wsConnect(`${ws}/ws/agents/echo`);
    expect(await c.waitFor((f) => f.event === "connected")).toEqual({ event: "connected", agent_id: "echo" });
    c.send({ message: "hi", user_id: "alice" });
    const done = await c.waitFor(isTerminal);
    const events = c.frames.filter((f) => f.run_id === done.run_id);
    expect(events[0].event).toBe("RunStarted");
    expect(events.map((e) => e.event_index)).toEqual(events.map((_, i) => i));
    expect(done).toMatchObject({ event: "RunCompleted", content: "hello there", agent_id: "echo" });
    const stored = (await t.inject({ method: "GET", url: `/agents/echo/runs/${done.run_id}` })).json();
    expect(stored).toMatchObject({ status: "COMPLETED", user_id: "alice" });
    // The SSE replay of the same run has the same events.
    const sse = await t.inject({ method: "GET", url: `/agents/echo/runs/${done.run_id}/events` });
    const replayed = sse.body
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => JSON.parse(l.slice(6)));
    expect(replayed).toEqual(events);
    c.socket.close();
  });

  it("runs several requests of one socket one after another, in order, on one session", async () => {
    const c = await wsConnect(`${ws}/ws/agents/slow`);
    await c.waitFor((f) => f.event === "connected");
    c.send({ message: "first", session_id: "ws-session" });
    c.send({ message: "second", session_id: "ws-session" });
    const first = await c.waitFor(isTerminal);
    const second = await c.waitFor((f) => isTerminal(f) && f.run_id !== first.run_id);
    const runIds = c.frames.filter((f) => f.run_id).map((f) => f.run_id);
    // Never interleaved: every frame of the first run comes before any of the second.
    expect(runIds.lastIndexOf(first.run_id)).toBeLessThan(runIds.indexOf(second.run_id));
    expect(second.session_id).toBe("ws-session");
    c.socket.close();
  });

  it("cancels a run with {action: cancel}: the stream ends RunCancelled then RunCompleted", async () => {
    const c = await wsConnect(`${ws}/ws/agents/slow`);
    c.send({ message: "go" });
    const started = await c.waitFor((f) => f.event === "RunContent");
    c.send({ action: "cancel", run_id: started.run_id });
    const ack = await c.waitFor((f) => f.event === "cancel");
    expect(ack).toEqual({ event: "cancel", run_id: started.run_id, status: "CANCELLED" });
    const names = c.frames
      .filter((f) => f.run_id === started.run_id && f.event_index !== undefined)
      .map((f) => f.event);
    expect(names.slice(-2)).toEqual(["RunCancelled", "RunCompleted"]);
    c.socket.close();
  });

  it("answers bad frames with an error frame and keeps serving", async () => {
    const c = await wsConnect(`${ws}/ws/agents/echo`);
    await c.waitFor((f) => f.event === "connected");
    const errorAfter = async (send: () => void) => {
      const from = c.frames.length;
      send();
      return c.waitFor((f) => f.event === "error", from);
    };
    expect(await errorAfter(() => c.send("{not json"))).toMatchObject({
      status: 400,
      detail: "Invalid JSON",
    });
    expect((await errorAfter(() => c.socket.send(Buffer.from([1, 2, 3]), { binary: true }))).detail).toMatch(
      /JSON text/,
    );
    expect((await errorAfter(() => c.send([1, 2]))).detail).toMatch(/JSON object/);
    const missing = await errorAfter(() => c.send({ session_id: "x" }));
    expect(missing).toMatchObject({
      status: 422,
      detail: [{ loc: ["body", "message"], msg: "field required", type: "missing" }],
    });
    expect((await errorAfter(() => c.send({ action: "dance" }))).detail).toBe("Unknown action 'dance'");
    expect((await errorAfter(() => c.send({ action: "cancel" }))).status).toBe(422);
    expect(await errorAfter(() => c.send({ action: "cancel", run_id: "nope" }))).toMatchObject({
      status: 404,
      detail: "Run not found",
    });
    c.send({ action: "ping" });
    await c.waitFor((f) => f.event === "pong");
    c.send({ message: "still there?" });
    expect((await c.waitFor(isTerminal)).content).toBe("hello there");
    c.socket.close();
  });

  it("closes a socket that sends a frame over 1 MiB with 1009", async () => {
    const c = await wsConnect(`${ws}/ws/agents/echo`);
    await c.waitFor((f) => f.event === "connected");
    c.send({ message: "x".repeat(1024 * 1024 + 10) });
    expect((await c.closed).code).toBe(1009);
  });

  it("keeps a live socket with ping/pong and drops a peer that stops answering pings", async () => {
    const c = await wsConnect(`${ws}/ws/agents/echo`);
    let pings = 0;
    c.socket.on("ping", () => pings++);
    await new Promise((r) => setTimeout(r, 700));
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(c.socket.readyState).toBe(WebSocket.OPEN);
    c.socket.close();

    const mute = await wsConnect(`${ws}/ws/agents/echo`, { autoPong: false });
    const { code } = await mute.closed;
    // Terminated without a close frame: the client sees an abnormal closure.
    expect(code).toBe(1006);
  });

  it("on_disconnect=cancel (agent setting or frame field) cancels the run when the socket closes; continue lets it finish", async () => {
    for (const [agent, frame] of [
      ["leaver", { message: "go" }],
      ["slow", { message: "go", on_disconnect: "cancel" }],
    ] as const) {
      const c = await wsConnect(`${ws}/ws/agents/${agent}`);
      c.send(frame);
      const first = await c.waitFor((f) => f.event === "RunContent");
      c.socket.terminate();
      let status = "";
      for (let i = 0; i < 60 && status !== "CANCELLED"; i++) {
        await new Promise((r) => setTimeout(r, 25));
        status = (await t.inject({ method: "GET", url: `/agents/${agent}/runs/${first.run_id}` })).json()
          .status;
      }
      expect(status).toBe("CANCELLED");
    }
    const c = await wsConnect(`${ws}/ws/agents/slow`);
    c.send({ message: "go" });
    const first = await c.waitFor((f) => f.event === "RunContent");
    c.socket.terminate();
    await t.os.runs.get(first.run_id)?.output;
    const run = (await t.inject({ method: "GET", url: `/agents/slow/runs/${first.run_id}` })).json();
    expect(run.status).toBe("COMPLETED");
  });

  it("is a WebSocket route only: a plain GET is 400; an unknown component closes with 4404", async () => {
    const r = await t.inject({ method: "GET", url: "/ws/agents/echo" });
    expect(r.statusCode).toBe(400);
    expect(r.json().detail).toMatch(/WebSocket/);
    for (const path of ["/ws/agents/ghost", "/ws/teams/none", "/ws/workflows/none"]) {
      const c = await wsConnect(`${ws}${path}`);
      expect((await c.closed).code).toBe(4404);
    }
  });
});

describe("WebSocket auth", () => {
  it("closes with 4401 without a valid token and 4403 without the run scope", async () => {
    const none = await wsConnect(`${securedWs}/ws/agents/echo`);
    expect(await none.closed).toEqual({ code: 4401, reason: "Authorization required" });
    const bad = await wsConnect(`${securedWs}/ws/agents/echo?token=wrong`);
    expect((await bad.closed).code).toBe(4401);
    const reader = await wsConnect(`${securedWs}/ws/agents/echo?token=reader`);
    const closed = await reader.closed;
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/agents:run/);
    const scoped = await wsConnect(`${securedWs}/ws/agents/slow?token=echoOnly`);
    expect((await scoped.closed).code).toBe(4403);
  });

  it("runs with a token in the query (or a bearer header) as the token's user, whatever the frame says", async () => {
    const c = await wsConnect(`${securedWs}/ws/agents/echo?token=runner`);
    c.send({ message: "hi", user_id: "somebody-else" });
    const done = await c.waitFor(isTerminal);
    expect((await secured.db.runs.get(done.run_id))?.user_id).toBe("u1");
    c.socket.close();
    const h = await wsConnect(`${securedWs}/ws/agents/echo`, {
      headers: { authorization: "Bearer echoOnly" },
    });
    h.send({ message: "hi" });
    expect((await h.waitFor(isTerminal)).event).toBe("RunCompleted");
    h.socket.close();
  });

  it("frames sent before authentication finishes are not lost", async () => {
    const c = new WebSocket(`${securedWs}/ws/agents/echo?token=runner`);
    const frames: any[] = [];
    c.on("message", (d) => frames.push(JSON.parse(d.toString())));
    c.on("open", () => c.send(JSON.stringify({ message: "early" })));
    await new Promise<void>((resolve) => c.on("message", () => frames.some(isTerminal) && resolve()));
    expect(frames[0]).toEqual({ event: "connected", agent_id: "echo" });
    expect(frames.at(-1)).toMatchObject({ event: "RunCompleted" });
    c.close();
  });
});
