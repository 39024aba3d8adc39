import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/index.js";
import { Workflow, parallel, step } from "../../src/workflow/index.js";
import { sse } from "../helpers/sse-client.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

const researcher = new Agent({
  id: "researcher",
  name: "Researcher",
  model: new ScriptedModel({ fallback: [{ text: "some " }, { delayMs: 10 }, { text: "notes" }] }),
});
const slow = new Agent({
  id: "slow",
  name: "Slow",
  model: new ScriptedModel({ fallback: [{ text: "thinking " }, { delayMs: 3000 }, { text: "late" }] }),
});

let t: TestOS;
let base: string;
beforeAll(async () => {
  t = await testOS({
    workflows: [
      new Workflow({
        id: "content",
        name: "Content",
        description: "Research, then count",
        steps: [
          step({ name: "research", agent: researcher }),
          parallel({
            name: "stats",
            steps: [
              step({ name: "chars", run: (s) => String(s.previousOutput).length }),
              step({ name: "words", run: (s) => String(s.previousOutput).split(" ").length }),
            ],
          }),
        ],
      }),
      new Workflow({
        id: "typed",
        name: "Typed",
        inputSchema: z.object({ topic: z.string().min(3) }),
        steps: [step({ name: "echo", run: (s) => `topic: ${(s.input as { topic: string }).topic}` })],
      }),
      new Workflow({
        id: "patient",
        name: "Patient",
        steps: [step({ name: "quick", run: () => "quick done" }), step({ name: "wait", agent: slow })],
      }),
      new Workflow({
        id: "failing",
        name: "Failing",
        steps: [
          step({ name: "ok", run: () => "fine" }),
          step({
            name: "explode",
            run: () => {
              throw new Error("kaboom");
            },
          }),
        ],
      }),
    ],
  });
  base = await t.listen();
});
afterAll(() => t.cleanup());

const inject = (opts: InjectOptions) => t.inject(opts);
const sessionCount = async () =>
  (await inject({ method: "GET", url: "/sessions?limit=1000" })).json().sessions.length;

describe("/workflows", () => {
  it("lists workflows with their steps; gets one; 404 for an unknown id", async () => {
    const list = (await inject({ method: "GET", url: "/workflows" })).json();
    expect(list.workflows.find((w: { id: string }) => w.id === "content")).toEqual({
      id: "content",
      name: "Content",
      description: "Research, then count",
      model: null,
      tools: [],
      has_knowledge: false,
      has_memory: false,
      steps: [
        { name: "research", type: "agent", agent: "researcher" },
        {
          name: "stats",
          type: "parallel",
          steps: [
            { name: "chars", type: "function", function: "chars" },
            { name: "words", type: "function", function: "words" },
          ],
        },
      ],
    });
    const typed = (await inject({ method: "GET", url: "/workflows/typed" })).json();
    expect(typed.settings.input_schema).toMatchObject({ type: "object", required: ["topic"] });
    const missing = await inject({ method: "GET", url: "/workflows/ghost" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: "Workflow with id 'ghost' not found" });
    expect((await inject({ method: "GET", url: "/config" })).json().workflows).toContainEqual({
      id: "content",
      name: "Content",
    });
  });

  it("runs non-streamed: the answer carries step_results; step runs are nested runs", async () => {
    const r = await inject({ method: "POST", url: "/workflows/content/runs", payload: { message: "topic" } });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({
      workflow_id: "content",
      status: "COMPLETED",
      content: { chars: 10, words: 2 },
      content_type: "json",
    });
    expect(
      body.step_results.map((s: { step_name: string; success: boolean }) => [s.step_name, s.success]),
    ).toEqual([
      ["research", true],
      ["stats", true],
    ]);
    expect(
      body.step_results[1].steps.map((s: { step_name: string; content: number }) => [s.step_name, s.content]),
    ).toEqual([
      ["chars", 10],
      ["words", 2],
    ]);
    const stepRun = await t.db.runs.get(body.step_results[0].step_run_id);
    expect(stepRun).toMatchObject({
      parent_run_id: body.run_id,
      session_id: body.session_id,
      agent_id: "researcher",
      content: "some notes",
    });
    const list = (
      await inject({ method: "GET", url: `/workflows/content/runs?session_id=${body.session_id}` })
    ).json();
    expect(list.runs.map((x: { run_id: string }) => x.run_id)).toEqual([body.run_id]);
  });

  it("takes JSON input from a form or a JSON body, validated by the schema", async () => {
    const form = await inject({
      method: "POST",
      url: "/workflows/typed/runs",
      payload: `message=ignored&input=${encodeURIComponent('{"topic":"tea"}')}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.json()).toMatchObject({ status: "COMPLETED", content: "topic: tea" });
    const json = await inject({
      method: "POST",
      url: "/workflows/typed/runs",
      payload: { message: "x", input: { topic: "coffee" } },
    });
    expect(json.json().content).toBe("topic: coffee");
    // Without `input`, a message that is JSON text is parsed for the schema.
    const fromMessage = await inject({
      method: "POST",
      url: "/workflows/typed/runs",
      payload: { message: '{"topic":"milk"}' },
    });
    expect(fromMessage.json().content).toBe("topic: milk");
  });

  it("refuses invalid input with 422 before anything is stored, also in the background", async () => {
    const before = await sessionCount();
    for (const payload of [
      { message: "x", input: { topic: "no" } },
      { message: "x", input: { topic: "tea" }, background: true, session_id: "new-session" } as Record<
        string,
        unknown
      >,
      { message: "plain text" },
    ]) {
      if (payload.background) payload.input = { wrong: 1 };
      const r = await inject({ method: "POST", url: "/workflows/typed/runs", payload });
      expect(r.statusCode).toBe(422);
      expect(r.json().detail[0].loc[0]).toBe("body");
      expect(r.json().detail[0].loc[1]).toBe("input");
    }
    const bad = await inject({
      method: "POST",
      url: "/workflows/typed/runs",
      payload: { message: "x", input: { topic: "no" } },
    });
    expect(bad.json()).toEqual({
      detail: [
        {
          loc: ["body", "input", "topic"],
          msg: "Too small: expected string to have >=3 characters",
          type: "too_small",
        },
      ],
    });
    const noMessage = await inject({
      method: "POST",
      url: "/workflows/typed/runs",
      payload: { input: { topic: "tea" } },
    });
    expect(noMessage.statusCode).toBe(422);
    expect(noMessage.json().detail).toEqual([
      { loc: ["body", "message"], msg: "field required", type: "missing" },
    ]);
    expect(await sessionCount()).toBe(before);
    expect(await t.db.sessions.get("new-session")).toBeUndefined();
    const unknown = await inject({ method: "POST", url: "/workflows/ghost/runs", payload: { message: "x" } });
    expect(unknown.statusCode).toBe(404);
  });

  it("a failing step: status ERROR naming the step, earlier results kept", async () => {
    const body = (
      await inject({ method: "POST", url: "/workflows/failing/runs", payload: { message: "x" } })
    ).json();
    expect(body).toMatchObject({ status: "ERROR", error: "Step 'explode' failed: kaboom", content: "fine" });
    expect(
      body.step_results.map((s: { step_name: string; success: boolean }) => [s.step_name, s.success]),
    ).toEqual([
      ["ok", true],
      ["explode", false],
    ]);
    const c = await sse(`${base}/workflows/failing/runs`, {
      method: "POST",
      body: JSON.stringify({ message: "x", stream: true }),
      headers: { "content-type": "application/json" },
    });
    await c.done;
    expect(c.events.at(-1)).toMatchObject({ event: "WorkflowError" });
    expect(c.events.at(-1)!.data).toMatchObject({
      error: "Step 'explode' failed: kaboom",
      step_name: "explode",
    });
  });

  it("streams over SSE: step events, agent events with workflow fields, one WorkflowCompleted", async () => {
    const c = await sse(`${base}/workflows/content/runs`, {
      method: "POST",
      body: JSON.stringify({ message: "topic", stream: true }),
      headers: { "content-type": "application/json" },
    });
    expect(c.status).toBe(200);
    await c.done;
    const names = c.events.map((e) => e.event);
    expect(names[0]).toBe("WorkflowStarted");
    expect(names.at(-1)).toBe("WorkflowCompleted");
    expect(
      names.filter((n) => ["WorkflowCompleted", "WorkflowError", "WorkflowCancelled"].includes(n)),
    ).toHaveLength(1);
    expect(c.events.map((e) => Number(e.id))).toEqual(c.events.map((_, i) => i));
    const runId = c.events[0].data.run_id;
    const agentContent = c.events.find((e) => e.event === "RunContent")!;
    expect(agentContent.data).toMatchObject({
      agent_id: "researcher",
      workflow_id: "content",
      workflow_run_id: runId,
      step_name: "research",
      step_index: 0,
      parent_run_id: runId,
    });
    expect(names).toEqual(
      expect.arrayContaining([
        "StepStarted",
        "StepCompleted",
        "ParallelExecutionStarted",
        "ParallelExecutionCompleted",
      ]),
    );
    const replay = await sse(`${base}/workflows/content/runs/${runId}/events`, {
      headers: { "last-event-id": "2" },
    });
    await replay.done;
    expect(Number(replay.events[0].id)).toBe(3);
    expect(replay.events.at(-1)!.event).toBe("WorkflowCompleted");
  });

  it("cancels a live workflow: its step run ends CANCELLED and WorkflowCancelled ends the stream", async () => {
    const c = await sse(`${base}/workflows/patient/runs`, {
      method: "POST",
      body: "message=go&stream=true",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    while (!c.events.some((e) => e.event === "RunContent")) await c.waitFor(c.events.length + 1);
    const runId = c.events[0].data.run_id;
    const stepRunId = c.events.find((e) => e.event === "RunContent")!.data.run_id;
    const started = Date.now();
    const cancel = await inject({ method: "POST", url: `/workflows/patient/runs/${runId}/cancel` });
    expect(cancel.json()).toEqual({ run_id: runId, status: "CANCELLED" });
    await c.done;
    expect(Date.now() - started).toBeLessThan(1500);
    expect(c.events.at(-1)!.event).toBe("WorkflowCancelled");
    expect(
      c.events.filter((e) => ["WorkflowCompleted", "WorkflowError", "WorkflowCancelled"].includes(e.event)),
    ).toHaveLength(1);
    expect(c.events.map((e) => e.event)).toContain("RunCancelled");
    expect((await t.db.runs.get(stepRunId))!.status).toBe("CANCELLED");
    const stored = (await inject({ method: "GET", url: `/workflows/patient/runs/${runId}` })).json();
    expect(stored).toMatchObject({ status: "CANCELLED", content: "quick done" });
    expect(stored.step_results[0]).toMatchObject({ step_name: "quick", success: true });
    // Reattaching to the cancelled run replays to its terminal event and closes.
    const replay = await sse(`${base}/workflows/patient/runs/${runId}/events?last_event_index=-1`);
    await replay.done;
    expect(replay.events.at(-1)!.event).toBe("WorkflowCancelled");
  });

  it("runs in the background; a workflow session lists by workflow_id and shows its runs and messages", async () => {
    const r = await inject({
      method: "POST",
      url: "/workflows/content/runs",
      payload: { message: "bg topic", background: true },
    });
    expect(r.statusCode).toBe(202);
    const { run_id, session_id } = r.json();
    let polled;
    for (let i = 0; i < 100; i++) {
      polled = (await inject({ method: "GET", url: `/workflows/content/runs/${run_id}` })).json();
      if (polled.status === "COMPLETED") break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(polled.status).toBe("COMPLETED");
    const sessions = (await inject({ method: "GET", url: "/sessions?workflow_id=content" })).json().sessions;
    expect(sessions.map((s: { session_id: string }) => s.session_id)).toContain(session_id);
    for (const s of sessions) expect(s).toMatchObject({ workflow_id: "content", session_type: "workflow" });
    expect(
      (await inject({ method: "GET", url: "/sessions?workflow_id=typed&team_id=x" })).json().sessions,
    ).toEqual([]);
    const detail = (await inject({ method: "GET", url: `/sessions/${session_id}` })).json();
    expect(detail.runs).toEqual([expect.objectContaining({ run_id, status: "COMPLETED" })]);
    expect(detail.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ["user", "bg topic"],
      ["assistant", '{"chars":10,"words":2}'],
    ]);
  });
});
