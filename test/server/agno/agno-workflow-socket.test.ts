import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Agent } from "../../../src/agent/index.js";
import { ScriptedModel } from "../../../src/model/index.js";
import { Workflow, step } from "../../../src/workflow/index.js";
import { TEST_SECRET, signToken } from "../../helpers/jwt.js";
import { testOS } from "../../helpers/test-os.js";
import type { TestOS } from "../../helpers/test-os.js";
import { agnoComponents } from "./agno-fixture.js";

interface Frame {
  /** "sse" for SSE text inside the frame, "json" for a plain JSON frame. */
  kind: "sse" | "json";
  event: string;
  data: Record<string, any>;
}

/** A client for Agno's socket: frames are plain JSON or SSE text, both parsed. */
async function connect(url: string) {
  const socket = new WebSocket(url);
  const frames: Frame[] = [];
  const waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  socket.on("message", (raw) => {
    const text = raw.toString();
    let f: Frame;
    if (text.startsWith("event: ")) {
      const [head, data] = text.trimEnd().split("\n");
      f = { kind: "sse", event: head.slice(7), data: JSON.parse(data.slice(6)) };
    } else {
      const data = JSON.parse(text);
      f = { kind: "json", event: data.event, data };
    }
    frames.push(f);
    for (const w of [...waiters])
      if (w.match(f)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(f);
      }
  });
  await new Promise((r, j) => (socket.once("open", r), socket.once("error", j)));
  return {
    socket,
    frames,
    send: (obj: object) => socket.send(JSON.stringify(obj)),
    waitFor: (match: (f: Frame) => boolean) => {
      const found = frames.find(match);
      return found
        ? Promise.resolve(found)
        : new Promise<Frame>((resolve) => waiters.push({ match, resolve }));
    },
  };
}

const slowAgent = new Agent({
  id: "slow-writer",
  name: "Slow writer",
  model: new ScriptedModel({
    fallback: [{ text: "a " }, { delayMs: 200 }, { text: "b " }, { delayMs: 200 }, { text: "c" }],
  }),
});

let t: TestOS;
let ws: string;
beforeAll(async () => {
  const c = agnoComponents();
  t = await testOS({
    ...c,
    workflows: [
      ...c.workflows!,
      new Workflow({ id: "slowflow", name: "Slow flow", steps: [step({ name: "write", agent: slowAgent })] }),
    ],
  });
  ws = `${(await t.listen()).replace("http", "ws")}/agno/workflows/ws`;
});
afterAll(() => t.cleanup());

describe("/agno/workflows/ws without auth", () => {
  it("greets with connected, answers ping, refuses unknown actions and bad frames", async () => {
    const c = await connect(ws);
    expect((await c.waitFor((f) => f.event === "connected")).data).toEqual({
      event: "connected",
      message: expect.any(String),
      requires_auth: false,
    });
    c.send({ action: "ping" });
    expect((await c.waitFor((f) => f.event === "pong")).data).toEqual({ event: "pong" });
    c.send({ action: "dance" });
    expect((await c.waitFor((f) => f.event === "error")).data).toEqual({
      event: "error",
      error: "Unknown action: dance",
    });
    c.socket.send("not json");
    await c.waitFor((f) => f.event === "error" && f.data.error !== "Unknown action: dance");
    c.send({ action: "start-workflow", workflow_id: "nope", message: "x" });
    await c.waitFor((f) => f.data.error === "Workflow nope not found");
    c.socket.close();
  });

  it("start-workflow streams SSE text frames with event_index and run_id, to WorkflowCompleted", async () => {
    const c = await connect(ws);
    c.send({ action: "start-workflow", workflow_id: "pipeline", message: "go" });
    const done = await c.waitFor((f) => f.event === "WorkflowCompleted");
    const events = c.frames.filter((f) => f.kind === "sse");
    expect(events[0].event).toBe("WorkflowStarted");
    expect(events.map((f) => f.data.event_index)).toEqual(events.map((_f, i) => i));
    for (const f of events) {
      expect(f.data.event).toBe(f.event);
      expect(f.data.run_id).toEqual(expect.any(String));
    }
    expect(done.data).toMatchObject({ content: "10 chars", workflow_id: "pipeline" });
    c.socket.close();
  });

  it("reconnect to a running workflow: catch_up, the missed events, subscribed, then live events as JSON", async () => {
    const first = await connect(ws);
    first.send({ action: "start-workflow", workflow_id: "slowflow", message: "go" });
    const started = await first.waitFor((f) => f.event === "RunContent");
    const runId = started.data.workflow_run_id ?? started.data.run_id;
    const lastSeen = started.data.event_index as number;
    first.socket.terminate();

    const second = await connect(ws);
    second.send({ action: "reconnect", run_id: runId, workflow_id: "slowflow", last_event_index: lastSeen });
    const catchUp = await second.waitFor((f) => f.event === "catch_up");
    expect(catchUp.data).toMatchObject({ run_id: runId, status: "running" });
    await second.waitFor((f) => f.event === "WorkflowCompleted");
    const names = second.frames.map((f) => f.event);
    expect(names).toContain("subscribed");
    const events = second.frames.filter((f) => typeof f.data.event_index === "number");
    expect(events.every((f) => f.kind === "json")).toBe(true);
    expect(events[0].data.event_index).toBe(lastSeen + 1);
    expect(second.frames.at(-1)!.data.content).toBe("a b c");
    second.socket.close();

    // Once finished, a reconnect replays every event.
    const third = await connect(ws);
    third.send({ action: "reconnect", run_id: runId, workflow_id: "slowflow" });
    const replay = await third.waitFor((f) => f.event === "replay");
    expect(replay.data).toMatchObject({ run_id: runId, status: "COMPLETED" });
    await third.waitFor((f) => f.event === "WorkflowCompleted");
    const replayed = third.frames.filter((f) => typeof f.data.event_index === "number");
    expect(replayed[0].data.event_index).toBe(0);
    third.send({ action: "reconnect", run_id: "nope" });
    await third.waitFor((f) => f.data.error === "Run nope not found");
    third.socket.close();
  });
});

describe("/agno/workflows/ws with JWT auth", () => {
  it("requires authenticate first, then checks the workflow's run scope", async () => {
    const secured = await testOS({ ...agnoComponents(), auth: { jwt: { verificationKey: TEST_SECRET } } });
    try {
      const url = `${(await secured.listen()).replace("http", "ws")}/agno/workflows/ws`;
      const c = await connect(url);
      expect((await c.waitFor((f) => f.event === "connected")).data.requires_auth).toBe(true);
      c.send({ action: "ping" });
      expect((await c.waitFor((f) => f.event === "auth_required")).data).toEqual({
        event: "auth_required",
        error: "Authentication required. Send authenticate action with valid JWT.",
      });
      c.send({ action: "authenticate", token: "garbage" });
      expect((await c.waitFor((f) => f.event === "auth_error")).data).toMatchObject({
        error_type: "invalid_token",
      });
      const token = await signToken(TEST_SECRET, { sub: "wendy", scopes: ["workflows:other:run"] });
      c.send({ action: "authenticate", token });
      await c.waitFor((f) => f.event === "authenticated" && f.data.user_id === "wendy");
      c.send({ action: "start-workflow", workflow_id: "pipeline", message: "go" });
      await c.waitFor((f) => f.data.error === "Insufficient permissions to run this workflow");
      c.socket.close();

      const d = await connect(url);
      d.send({
        action: "authenticate",
        token: await signToken(TEST_SECRET, { sub: "wendy", scopes: ["workflows:run"] }),
      });
      await d.waitFor((f) => f.event === "authenticated");
      d.send({ action: "start-workflow", workflow_id: "pipeline", message: "go", user_id: "someone-else" });
      await d.waitFor((f) => f.event === "WorkflowCompleted");
      const run = (await secured.db.runs.list({ componentId: "pipeline" }))[0];
      expect(run.user_id).toBe("wendy");
      d.socket.close();
    } finally {
      await secured.cleanup();
    }
  });
});
