import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { resolveModel } from "../../src/model/router.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import type {
  ComponentInfo,
  RunEvent,
  RunInput,
  RunOptions,
  RunOutput,
  Runnable,
} from "../../src/run/index.js";
import {
  DEFAULT_RUN_POLICY,
  EventFactory,
  RunStream,
  emptyMetrics,
  nowSeconds,
} from "../../src/run/index.js";
import { tool } from "../../src/tool/index.js";
import { startLoopback } from "../model/loopback.js";
import type { Loopback } from "../model/loopback.js";
import { sse } from "../helpers/sse-client.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

const hang = new ScriptedModel({ fallback: [{ text: "thinking " }, { delayMs: 60_000 }, { text: "never" }] });
const slow = new ScriptedModel({
  fallback: Array.from({ length: 10 }, (_, i) => [{ text: `w${i} ` }, { delayMs: 40 }]).flat(),
});
const toolSignals: { aborted: boolean; reason?: unknown }[] = [];
const wait = tool({
  name: "wait",
  description: "Waits until cancelled",
  execute: (_input, ctx) =>
    new Promise((_, reject) => {
      const entry: { aborted: boolean; reason?: unknown } = { aborted: false };
      toolSignals.push(entry);
      ctx.signal.addEventListener("abort", () => {
        entry.aborted = true;
        entry.reason = ctx.signal.reason;
        reject(ctx.signal.reason);
      });
    }),
});
const toolModel = new ScriptedModel({ fallback: [{ toolCall: { name: "wait" } }] });

/** A parent component that runs a child agent under its own signal, as teams and workflows do. */
class Parent implements Runnable {
  readonly kind = "team" as const;
  readonly id = "parent";
  readonly name = "Parent";
  readonly runPolicy = DEFAULT_RUN_POLICY;
  childRunId: string | undefined;
  constructor(private readonly child: Agent) {}
  info(): ComponentInfo {
    return {
      kind: "team",
      id: this.id,
      name: this.name,
      description: null,
      model: null,
      tools: [],
      toolNames: [],
      instructions: null,
      hasKnowledge: false,
      hasMemory: false,
      dbId: null,
      settings: {},
    };
  }
  run(input: string | RunInput, options: RunOptions = {}): RunStream {
    return new RunStream(this.#run(input, options));
  }
  async *#run(input: string | RunInput, options: RunOptions): AsyncGenerator<RunEvent, RunOutput> {
    const f = new EventFactory({
      kind: "team",
      id: this.id,
      name: this.name,
      runId: options.runId!,
      sessionId: options.sessionId!,
    });
    yield f.make("RunStarted", { model: "none", model_provider: "none" });
    const child = this.child.run(input, { signal: options.signal, store: options.store });
    for await (const ev of child) {
      this.childRunId = ev.run_id;
      yield f.forward(ev);
    }
    const out = await child.output;
    if (out.status === "CANCELLED") yield f.make("RunCancelled", { reason: out.error ?? "" });
    yield f.make("RunCompleted", { content: out.content, content_type: "str", metrics: emptyMetrics() });
    return { ...out, component_kind: "team", team_id: this.id, created_at: nowSeconds() };
  }
}

const parent = new Parent(new Agent({ id: "child", name: "Child", model: hang }));
let t: TestOS;
let base: string;
beforeAll(async () => {
  t = await testOS({
    agents: [
      new Agent({ id: "hang", name: "Hang", model: hang }),
      new Agent({ id: "slow", name: "Slow", model: slow }),
      new Agent({ id: "tooling", name: "Tooling", model: toolModel, tools: [wait] }),
    ],
    teams: [parent],
  });
  base = await t.listen();
});
afterAll(() => t.cleanup());

const form = (fields: Record<string, string>) => ({
  method: "POST",
  body: new URLSearchParams(fields).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded" },
});
const getRun = async (agent: string, runId: string) =>
  (await t.inject({ method: "GET", url: `/agents/${agent}/runs/${runId}` })).json();

describe("cancel before the run starts", () => {
  it("a run queued behind another of its session ends CANCELLED without calling the model", async () => {
    const first = await sse(`${base}/agents/slow/runs`, form({ message: "a", stream: "true" }));
    await first.waitFor(1);
    const session = first.events[0].data.session_id;
    const calls = slow.calls.length;
    const queued = sse(
      `${base}/agents/slow/runs`,
      form({ message: "b", stream: "true", session_id: session }),
    );
    let live;
    while (!(live = t.os.runs.forSession(session)[1])) await new Promise((r) => setTimeout(r, 5));
    const cancel = await t.inject({ method: "POST", url: `/agents/slow/runs/${live.runId}/cancel` });
    expect(cancel.json()).toEqual({ run_id: live.runId, status: "CANCELLED" });
    const second = await queued;
    await second.done;
    expect(second.events.map((e) => e.event)).toEqual(["RunCancelled", "RunCompleted"]);
    await first.done;
    expect(first.events.at(-1)!.event).toBe("RunCompleted");
    // The first run's model call was made before `calls` was read; the cancelled run made none.
    expect(slow.calls.length - calls).toBe(0);
    expect(await getRun("slow", live.runId)).toMatchObject({ status: "CANCELLED", session_id: session });
  });

  it("a background run cancelled before its turn never calls the model; a finished run is left as it is", async () => {
    const calls = slow.calls.length;
    const first = await t.inject({
      method: "POST",
      url: "/agents/slow/runs",
      payload: { message: "a", background: true },
    });
    const { session_id } = first.json();
    const bg = await t.inject({
      method: "POST",
      url: "/agents/slow/runs",
      payload: { message: "b", background: true, session_id },
    });
    expect(bg.statusCode).toBe(202);
    expect((await getRun("slow", bg.json().run_id)).status).toBe("PENDING");
    const cancel = await t.inject({ method: "POST", url: `/agents/slow/runs/${bg.json().run_id}/cancel` });
    expect(cancel.json().status).toBe("CANCELLED");
    await t.os.runs.get(first.json().run_id)?.output;
    expect(slow.calls.length - calls).toBe(1);
    const again = await t.inject({ method: "POST", url: `/agents/slow/runs/${first.json().run_id}/cancel` });
    expect(again.json()).toEqual({ run_id: first.json().run_id, status: "COMPLETED" });
  });

  it("a cancel that arrives before the run is registered is kept and applied when it starts", async () => {
    await t.os.runs.cancel("run-cancelled-early", "changed my mind");
    const calls = hang.calls.length;
    const live = await t.os.runs.start({
      component: t.os.components.get("agent", "hang"),
      input: { message: "x" },
      runId: "run-cancelled-early",
    });
    const out = await live.output;
    expect(out).toMatchObject({ status: "CANCELLED", error: "changed my mind" });
    expect(hang.calls.length).toBe(calls);
    expect(live.buffer.all().map((e) => e.event)).toEqual(["RunCancelled", "RunCompleted"]);
  });
});

describe("cancel during a run", () => {
  it("aborts a model request in flight (the model's signal aborts) within a second", async () => {
    const c = await sse(`${base}/agents/hang/runs`, form({ message: "x", stream: "true" }));
    while (!c.events.some((e) => e.event === "RunContent")) await new Promise((r) => setTimeout(r, 5));
    const runId = c.events[0].data.run_id;
    const call = hang.calls.at(-1)!;
    const started = Date.now();
    await t.inject({ method: "POST", url: `/agents/hang/runs/${runId}/cancel` });
    await c.done;
    expect(Date.now() - started).toBeLessThan(1500);
    expect(call.abortSignal?.aborted).toBe(true);
    expect(c.events.map((e) => e.event).slice(-2)).toEqual(["RunCancelled", "RunCompleted"]);
    expect(c.events.at(-1)!.data.content).toBe("thinking ");
    expect((await getRun("hang", runId)).status).toBe("CANCELLED");
  });

  it("a tool receives the abort through its signal, and the run ends CANCELLED", async () => {
    const c = await sse(`${base}/agents/tooling/runs`, form({ message: "x", stream: "true" }));
    while (!c.events.some((e) => e.event === "ToolCallStarted")) await new Promise((r) => setTimeout(r, 5));
    while (toolSignals.length === 0) await new Promise((r) => setTimeout(r, 5));
    const runId = c.events[0].data.run_id;
    const cancel = await t.inject({ method: "POST", url: `/agents/tooling/runs/${runId}/cancel` });
    expect(cancel.json().status).toBe("CANCELLED");
    await c.done;
    expect(toolSignals.at(-1)).toMatchObject({ aborted: true, reason: { name: "RunCancelledError" } });
    expect(c.events.map((e) => e.event).slice(-2)).toEqual(["RunCancelled", "RunCompleted"]);
  });

  it("cancelling a parent run aborts the child it runs under the same signal", async () => {
    const calls = hang.calls.length;
    const live = await t.os.runs.start({ component: parent, input: { message: "x" } });
    while (hang.calls.length === calls) await new Promise((r) => setTimeout(r, 5));
    await t.os.runs.cancel(live.runId, "stop the team");
    const out = await live.output;
    expect(out.status).toBe("CANCELLED");
    expect(hang.calls.at(-1)!.abortSignal?.aborted).toBe(true);
    const child = await t.db.runs.get(parent.childRunId!);
    expect(child).toMatchObject({ status: "CANCELLED", error: "stop the team" });
    expect(
      live.buffer
        .all()
        .map((e) => e.event)
        .slice(-2),
    ).toEqual(["TeamRunCancelled", "TeamRunCompleted"]);
  });
});

describe("cancel through a real provider", () => {
  let server: Loopback;
  const closed: Promise<void>[] = [];
  beforeAll(async () => {
    // An OpenAI Responses stream that starts, sends one delta, and never finishes.
    server = await startLoopback((_req, res: ServerResponse) => {
      closed.push(new Promise((r) => res.on("close", () => r())));
      res.writeHead(200, { "content-type": "text/event-stream" });
      const send = (type: string, body: object) =>
        res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...body })}\n\n`);
      const response = {
        id: "resp_1",
        object: "response",
        created_at: 1,
        status: "in_progress",
        model: "gpt-4o",
        output: [],
      };
      send("response.created", { sequence_number: 0, response });
      send("response.output_item.added", {
        sequence_number: 1,
        output_index: 0,
        item: { id: "msg_1", type: "message", role: "assistant", status: "in_progress", content: [] },
      });
      send("response.output_text.delta", {
        sequence_number: 2,
        item_id: "msg_1",
        output_index: 0,
        content_index: 0,
        delta: "Hello",
        logprobs: [],
      });
    });
  });
  afterAll(() => server.close());

  it("closes the provider's HTTP connection when the run is cancelled", async () => {
    const model = resolveModel("openai:gpt-4o", {
      env: { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: `${server.origin}/v1` },
    });
    const os = await testOS({ agents: [new Agent({ id: "real", name: "Real", model })] });
    try {
      const live = await os.os.runs.start({
        component: os.os.components.get("agent", "real"),
        input: { message: "hi" },
      });
      while (!live.buffer.all().some((e) => e.event === "RunContent"))
        await new Promise((r) => setTimeout(r, 5));
      expect(server.requests).toHaveLength(1);
      const started = Date.now();
      await os.os.runs.cancel(live.runId);
      await closed[0];
      expect(Date.now() - started).toBeLessThan(1500);
      const out = await live.output;
      expect(out).toMatchObject({ status: "CANCELLED", content: "Hello" });
      // Not retried: a cancel is never a failure to try again.
      expect(server.requests).toHaveLength(1);
    } finally {
      await os.cleanup();
    }
  });
});
