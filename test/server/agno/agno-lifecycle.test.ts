import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../../../src/agent/index.js";
import { ScriptedModel } from "../../../src/model/scripted-model.js";
import { tool } from "../../../src/tool/index.js";
import { sse } from "../../helpers/sse-client.js";
import { testOS } from "../../helpers/test-os.js";
import type { TestOS } from "../../helpers/test-os.js";
import { agnoComponents, form, sseEvents } from "./agno-fixture.js";

const deleted: string[] = [];
const deleteFile = tool({
  name: "delete_file",
  description: "Deletes a file",
  input: z.object({ path: z.string() }),
  requiresConfirmation: true,
  execute: ({ path }) => {
    deleted.push(path);
    return `deleted ${path}`;
  },
});
const opsModel = new ScriptedModel({
  fallback: (call) =>
    call.prompt.at(-1)?.role === "tool"
      ? "done"
      : [{ toolCall: { name: "delete_file", args: { path: "/tmp/x" } } }],
});

let t: TestOS;
let base: string;
beforeAll(async () => {
  const c = agnoComponents();
  t = await testOS({
    ...c,
    agents: [...c.agents!, new Agent({ id: "ops", name: "Ops", model: opsModel, tools: [deleteFile] })],
  });
  base = await t.listen();
});
afterAll(() => t.cleanup());

const post = (url: string, fields: Record<string, string>) =>
  t.inject({ method: "POST", url, ...form(fields) });
const urlencoded = { "content-type": "application/x-www-form-urlencoded" };

describe("/agno cancel", () => {
  it("answers {} and the live stream ends with RunCancelled; the run is CANCELLED", async () => {
    const stream = await sse(`${base}/agno/agents/slow/runs`, {
      method: "POST",
      body: "message=go",
      headers: urlencoded,
    });
    await stream.waitFor(1);
    const { run_id, session_id } = stream.events[0].data;
    const r = await post(`/agno/agents/slow/runs/${run_id}/cancel`, {});
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({});
    await stream.done;
    const names = stream.events.map((e) => e.event);
    // As Agno: RunCancelled, always followed by RunCompleted.
    expect(names.slice(-2)).toEqual(["RunCancelled", "RunCompleted"]);
    const polled = await t.inject({
      method: "GET",
      url: `/agno/agents/slow/runs/${run_id}?session_id=${session_id}`,
    });
    expect(polled.json().status).toBe("CANCELLED");
  });

  it("answers {} for an unknown run too, 404 for an unknown agent", async () => {
    const r = await post("/agno/agents/slow/runs/never-started/cancel", {});
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({});
    expect((await post("/agno/agents/nope/runs/x/cancel", {})).json()).toEqual({ detail: "Agent not found" });
  });

  it("cancels a run whose client disconnected (Agno's default for a foreground stream)", async () => {
    const stream = await sse(`${base}/agno/agents/slow/runs`, {
      method: "POST",
      body: "message=go",
      headers: urlencoded,
    });
    await stream.waitFor(1);
    const { run_id, session_id } = stream.events[0].data;
    stream.close();
    let status = "";
    for (let i = 0; i < 40 && status !== "CANCELLED"; i++) {
      await new Promise((r) => setTimeout(r, 25));
      status = (
        await t.inject({ method: "GET", url: `/agno/agents/slow/runs/${run_id}?session_id=${session_id}` })
      ).json().status;
    }
    expect(status).toBe("CANCELLED");
  });
});

describe("/agno continue", () => {
  it("pauses with RunPaused tools, needs session_id (400), continues with confirmed tools, then 409", async () => {
    const paused = sseEvents((await post("/agno/agents/ops/runs", { message: "delete it" })).body);
    const pause = paused.at(-1)!;
    expect(pause.event).toBe("RunPaused");
    const tools = pause.data.tools as Record<string, unknown>[];
    expect(tools[0]).toMatchObject({ tool_name: "delete_file", requires_confirmation: true });
    const { run_id, session_id } = pause.data as { run_id: string; session_id: string };
    const url = `/agno/agents/ops/runs/${run_id}/continue`;
    const resolved = JSON.stringify(tools.map((tl) => ({ ...tl, confirmed: true })));

    const noSession = await post(url, { tools: resolved });
    expect(noSession.statusCode).toBe(400);
    expect(noSession.json()).toEqual({ detail: "session_id is required for this action" });
    expect((await post(url, { tools: "not json", session_id })).statusCode).toBe(422);

    const continued = sseEvents((await post(url, { tools: resolved, session_id })).body);
    expect(continued[0].event).toBe("RunContinued");
    expect(continued.at(-1)).toMatchObject({ event: "RunCompleted", data: { content: "done" } });
    expect(deleted).toContain("/tmp/x");

    const again = await post(url, { tools: resolved, session_id });
    expect(again.statusCode).toBe(409);
    expect(typeof again.json().detail).toBe("string");
    expect(
      (await post(`/agno/agents/ops/runs/nope/continue`, { tools: resolved, session_id })).statusCode,
    ).toBe(404);
  });

  it("continues without streaming into a RunOutput dict", async () => {
    const paused = (await post("/agno/agents/ops/runs", { message: "delete it", stream: "false" })).json();
    expect(paused.status).toBe("PAUSED");
    const tools = JSON.stringify(paused.tools.map((tl: object) => ({ ...tl, confirmed: true })));
    const done = await post(`/agno/agents/ops/runs/${paused.run_id}/continue`, {
      tools,
      session_id: paused.session_id,
      stream: "false",
    });
    expect(done.json()).toMatchObject({ run_id: paused.run_id, status: "COMPLETED", content: "done" });
  });
});

describe("/agno resume", () => {
  it("background streams carry event_index; resume of a live run sends catch_up, the missed events, subscribed", async () => {
    const first = await sse(`${base}/agno/agents/slow/runs`, {
      method: "POST",
      body: "message=go&background=true",
      headers: urlencoded,
    });
    await first.waitFor(2);
    const { run_id, session_id } = first.events[0].data;
    expect(first.events.slice(0, 2).map((e) => e.data.event_index)).toEqual([0, 1]);
    first.close();
    const resumed = await sse(`${base}/agno/agents/slow/runs/${run_id}/resume`, {
      method: "POST",
      body: `last_event_index=0&session_id=${session_id}`,
      headers: urlencoded,
    });
    await resumed.done;
    const names = resumed.events.map((e) => e.event);
    expect(names[0]).toBe("catch_up");
    expect(resumed.events[0].data).toMatchObject({ event: "catch_up", run_id, status: "running" });
    expect(names).toContain("subscribed");
    const indexes = resumed.events
      .filter((e) => typeof e.data.event_index === "number")
      .map((e) => e.data.event_index);
    expect(indexes[0]).toBe(1);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(names.at(-1)).toBe("RunCompleted");
    // A background stream's client leaving does not cancel the run.
    expect(resumed.events.at(-1)!.data.content).toBe("one two three");
  });

  it("replays a finished run after last_event_index; an unknown run gets an error event", async () => {
    const r = (await post("/agno/agents/writer/runs", { message: "x", stream: "false" })).json();
    const replay = sseEvents(
      (
        await post(`/agno/agents/writer/runs/${r.run_id}/resume`, {
          last_event_index: "1",
          session_id: r.session_id,
        })
      ).body,
    );
    expect(replay[0]).toMatchObject({
      event: "replay",
      data: { run_id: r.run_id, status: "COMPLETED", last_event_index_requested: 1 },
    });
    expect(replay[1].data.event_index).toBe(2);
    expect(replay.at(-1)!.event).toBe("RunCompleted");
    const missing = sseEvents((await post("/agno/agents/writer/runs/nope/resume", {})).body);
    expect(missing).toEqual([
      {
        event: "error",
        data: { event: "error", error: "Run nope not found in buffer or database" },
        raw: expect.any(String),
      },
    ]);
  });
});
