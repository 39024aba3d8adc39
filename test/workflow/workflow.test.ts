import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../../src/agent/index.js";
import { ValidationError } from "../../src/errors.js";
import { ScriptedModel } from "../../src/model/index.js";
import type { RunEvent } from "../../src/run/index.js";
import { Team } from "../../src/team/index.js";
import { tool } from "../../src/tool/index.js";
import type { StepInput, StepResult } from "../../src/workflow/index.js";
import { condition, loop, parallel, router, step, Workflow } from "../../src/workflow/index.js";
import { eventsOf, field, promptOf, rootTerminals } from "../helpers/run-events.js";
import { tempSqlite } from "../helpers/temp-store.js";

let env: Awaited<ReturnType<typeof tempSqlite>>;
beforeEach(async () => {
  env = await tempSqlite();
});
afterEach(async () => {
  await env.cleanup();
});

const WF_TERMINALS = ["WorkflowCompleted", "WorkflowError", "WorkflowCancelled"];

function agent(id: string, reply: string | ((prompt: string) => string), pauseMs = 0) {
  return new Agent({
    id,
    name: id.toUpperCase(),
    model: new ScriptedModel({
      fallback: (call) => {
        const text = typeof reply === "string" ? reply : reply(promptOf(call));
        const half = Math.ceil(text.length / 2);
        return pauseMs
          ? [
              { text: text.slice(0, half), chunks: 1 },
              { delayMs: pauseMs },
              { text: text.slice(half), chunks: 1 },
            ]
          : text;
      },
    }),
  });
}

const named = (events: RunEvent[], name: string) => events.filter((e) => e.event === name);

describe("steps in order", () => {
  it("runs agent, team and function steps, each seeing the input and what came before", async () => {
    const seen: StepInput[] = [];
    const researcher = agent("researcher", (p) => (p.includes("Mars") ? "Mars is red" : "?"));
    const team = new Team({
      id: "editors",
      name: "Editors",
      mode: "route",
      model: new ScriptedModel({
        fallback: [{ toolCall: { name: "route_to_member", args: { member_id: "editor" } } }],
      }),
      members: [agent("editor", (p) => (p.includes("Mars is red") ? "Edited: Mars is red." : "?"))],
    });
    const wf = new Workflow({
      name: "Pipeline",
      db: env.db,
      steps: [
        researcher,
        step({ name: "edit", team }),
        step({
          name: "count",
          run: (s) => {
            seen.push(s);
            s.sessionState.counted = true;
            return { words: String(s.previousOutput).split(" ").length };
          },
        }),
      ],
    });
    const stream = wf.run("Tell me about Mars", { sessionState: { start: 1 } });
    const events = await eventsOf(stream);
    const out = await stream.output;
    expect(out).toMatchObject({
      status: "COMPLETED",
      content: { words: 4 },
      content_type: "json",
      component_kind: "workflow",
    });
    expect(seen[0]).toMatchObject({
      input: "Tell me about Mars",
      previousOutput: "Edited: Mars is red.",
      outputs: { RESEARCHER: "Mars is red", edit: "Edited: Mars is red.", count: { words: 4 } },
      stepName: "count",
      runId: out.run_id,
    });
    expect(seen[0].signal).toBeInstanceOf(AbortSignal);

    expect(events[0]).toMatchObject({
      event: "WorkflowStarted",
      workflow_id: "pipeline",
      workflow_name: "Pipeline",
    });
    expect(events.at(-1)).toMatchObject({ event: "WorkflowCompleted", content: { words: 4 } });
    expect(rootTerminals(events, WF_TERMINALS)).toHaveLength(1);
    expect(events.map((e) => e.event_index)).toEqual(events.map((_, i) => i));
    expect(named(events, "StepStarted").map((e) => [e.step_name, e.step_index])).toEqual([
      ["RESEARCHER", 0],
      ["edit", 1],
      ["count", 2],
    ]);

    // Agent and team events inside steps say where they are.
    const researcherRun = events.find((e) => e.event === "RunStarted" && e.agent_id === "researcher")!;
    expect(researcherRun).toMatchObject({
      workflow_id: "pipeline",
      workflow_run_id: out.run_id,
      step_name: "RESEARCHER",
      step_index: 0,
      parent_run_id: out.run_id,
      nested_depth: 1,
    });
    const editorRun = events.find((e) => e.event === "RunStarted" && e.agent_id === "editor")!;
    expect(editorRun).toMatchObject({ workflow_run_id: out.run_id, step_name: "edit", nested_depth: 2 });
    const teamRun = events.find((e) => e.event === "TeamRunStarted")!;
    expect(editorRun.parent_run_id).toBe(teamRun.run_id);

    // Stored: step runs nested in the workflow's session; results and state on the workflow run.
    const stored = await env.db.runs.get(out.run_id);
    const steps = stored!.step_results as StepResult[];
    expect(steps.map((r) => [r.step_name, r.step_type, r.success, r.executor_id])).toEqual([
      ["RESEARCHER", "agent", true, "researcher"],
      ["edit", "team", true, "editors"],
      ["count", "function", true, null],
    ]);
    const children = await env.db.runs.list({ parentRunId: out.run_id });
    expect(children.map((c) => c.run_id)).toEqual([steps[0].step_run_id, steps[1].step_run_id]);
    const session = await env.db.sessions.get(out.session_id);
    expect(session).toMatchObject({
      session_type: "workflow",
      workflow_id: "pipeline",
      run_count: 1,
      message_count: 2,
    });
    expect(session!.session_state).toEqual({ start: 1, counted: true });
  });

  it("passes the run's files to agent steps, with their default or their own message", async () => {
    const a = agent("a", "seen");
    const b = agent("b", "seen too");
    const wf = new Workflow({
      name: "M",
      steps: [a, step({ name: "second", agent: b, input: () => "look again" })],
    });
    const image = { id: "m1", kind: "image" as const, mime_type: "image/png", size: 3, content: "AAEC" };
    await wf.run({ message: "look", media: [image] }).collect();
    for (const m of [a, b]) {
      const userPart = (m.options.model as ScriptedModel).calls[0].prompt.find((x) => x.role === "user")!;
      expect(userPart.content).toContainEqual(
        expect.objectContaining({ type: "file", mediaType: "image/png", data: "AAEC" }),
      );
    }
  });

  it("streams a function step written as an async generator", async () => {
    const wf = new Workflow({
      name: "S",
      steps: [
        step({
          name: "stream",
          run: async function* () {
            yield "one ";
            yield "two";
          },
        }),
        step({
          name: "with-result",
          run: async function* (s) {
            yield "working";
            return `${s.previousOutput}!`;
          },
        }),
      ],
    });
    const stream = wf.run("x");
    const events = await eventsOf(stream);
    expect(named(events, "RunContent").map((e) => [e.step_name, field(e, "content")])).toEqual([
      ["stream", "one "],
      ["stream", "two"],
      ["with-result", "working"],
    ]);
    expect((await stream.output).content).toBe("one two!");
  });
});

describe("parallel", () => {
  it("interleaves the branches' events and keeps each output under its branch", async () => {
    const wf = new Workflow({
      name: "P",
      db: env.db,
      steps: [
        parallel({
          name: "gather",
          steps: [
            step({ name: "slow", agent: agent("s", "slow result", 60) }),
            step({ name: "fast", agent: agent("f", "fast result", 10) }),
            step({ name: "calc", run: () => 42 }),
          ],
        }),
        step({ name: "after", run: (s) => s.previousOutput }),
      ],
    });
    const stream = wf.run("go");
    const events = await eventsOf(stream);
    const out = await stream.output;
    expect(out.content).toEqual({ slow: "slow result", fast: "fast result", calc: 42 });
    const started = events.find((e) => e.event === "ParallelExecutionStarted")!;
    expect(started).toMatchObject({ step_name: "gather", parallel_step_count: 3 });
    // The fast branch finished while the slow one was still running.
    const fastDone = events.find((e) => e.event === "StepCompleted" && e.step_name === "fast")!;
    const slowContent = events.filter((e) => e.event === "RunContent" && e.step_name === "slow");
    expect(slowContent[0].event_index).toBeLessThan(fastDone.event_index);
    expect(slowContent.at(-1)!.event_index).toBeGreaterThan(fastDone.event_index);
    // Every branch event is attributed to its branch.
    for (const e of events.filter((x) => x.agent_id === "s")) expect(e.step_name).toBe("slow");
    for (const e of events.filter((x) => x.agent_id === "f")) expect(e.step_name).toBe("fast");
    const gather = (out.step_results as StepResult[])[0];
    expect(gather.steps!.map((r) => [r.step_name, r.step_index, r.content])).toEqual([
      ["slow", 0, "slow result"],
      ["fast", 1, "fast result"],
      ["calc", 2, 42],
    ]);
    const completed = events.find((e) => e.event === "ParallelExecutionCompleted")!;
    expect(field<StepResult[]>(completed, "step_results").map((r) => r.step_name)).toEqual([
      "slow",
      "fast",
      "calc",
    ]);
  });

  it("fails when a branch fails, after the other branches end, keeping their results", async () => {
    const wf = new Workflow({
      name: "P",
      db: env.db,
      steps: [
        parallel({
          name: "gather",
          steps: [
            step({ name: "ok", agent: agent("ok", "fine", 30) }),
            step({
              name: "bad",
              run: () => {
                throw new Error("no data");
              },
            }),
          ],
        }),
      ],
    });
    const stream = wf.run("go");
    const events = await eventsOf(stream);
    const out = await stream.output;
    expect(events.at(-1)).toMatchObject({
      event: "WorkflowError",
      error: "Step 'bad' failed: no data",
      step_name: "bad",
    });
    const gather = ((await env.db.runs.get(out.run_id))!.step_results as StepResult[])[0];
    expect(gather.steps!.map((r) => [r.step_name, r.success, r.content])).toEqual([
      ["ok", true, "fine"],
      ["bad", false, null],
    ]);
  });
});

describe("condition, loop, router", () => {
  it("runs a condition's steps or its else steps; a false condition without else is skipped", async () => {
    const wf = new Workflow({
      name: "C",
      steps: [
        step({ name: "n", run: (s) => Number(s.input) }),
        condition({
          name: "big",
          when: (s) => (s.previousOutput as number) > 10,
          steps: [step({ name: "yes", run: () => "big" })],
          elseSteps: [step({ name: "no", run: () => "small" })],
        }),
        condition({ name: "never", when: () => false, steps: [step({ name: "skipped", run: () => "x" })] }),
      ],
    });
    const big = wf.run("50");
    const events = await eventsOf(big);
    expect((await big.output).content).toBe("big"); // the skipped condition leaves the previous output
    expect(
      named(events, "ConditionExecutionStarted").map((e) => [e.step_name, field(e, "condition_result")]),
    ).toEqual([
      ["big", true],
      ["never", false],
    ]);
    expect(named(events, "ConditionExecutionCompleted").map((e) => field(e, "executed_steps"))).toEqual([
      1, 0,
    ]);
    const results = (await big.output).step_results as StepResult[];
    expect(results[2]).toMatchObject({ step_name: "never", skipped: true, success: true, steps: [] });
    expect((await wf.run("3").collect()).content).toBe("small");
  });

  it("loops until its predicate holds, or maxIterations", async () => {
    const wf = new Workflow({
      name: "L",
      steps: [
        loop({
          name: "grow",
          steps: [
            step({ name: "inc", run: (s) => (Number(s.previousOutput) || 0) + 1 }),
            step({ name: "double", run: (s) => Number(s.previousOutput) * 2 }),
          ],
          until: (s) => (s.previousOutput as number) > 20,
          maxIterations: 10,
        }),
      ],
    });
    const stream = wf.run("x");
    const events = await eventsOf(stream);
    const out = await stream.output;
    expect(out.content).toBe(30); // 2, 6, 14, 30
    expect(named(events, "LoopIterationCompleted").map((e) => field(e, "should_continue"))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(events.find((e) => e.event === "LoopExecutionCompleted")).toMatchObject({
      total_iterations: 4,
      max_iterations: 10,
    });
    const grow = (out.step_results as StepResult[])[0];
    expect(grow.steps!.map((r) => [r.step_name, r.iteration, r.content])).toEqual([
      ["inc", 1, 1],
      ["double", 1, 2],
      ["inc", 2, 3],
      ["double", 2, 6],
      ["inc", 3, 7],
      ["double", 3, 14],
      ["inc", 4, 15],
      ["double", 4, 30],
    ]);
    const capped = new Workflow({
      name: "Cap",
      steps: [loop({ name: "l", steps: [step({ name: "s", run: () => 1 })], maxIterations: 2 })],
    });
    const cappedEvents = await eventsOf(capped.run("x"));
    expect(named(cappedEvents, "LoopIterationStarted")).toHaveLength(2);
  });

  it("routes to the steps its selector picks, by name or by step", async () => {
    const short = step({ name: "short", run: () => "short answer" });
    const long = step({ name: "long", run: () => "long answer" });
    const wf = new Workflow({
      name: "R",
      steps: [
        router({
          name: "pick",
          choices: [short, long],
          select: (s) => (String(s.input).length > 5 ? "long" : [short]),
        }),
      ],
    });
    const stream = wf.run("a long question");
    const events = await eventsOf(stream);
    expect((await stream.output).content).toBe("long answer");
    expect(events.find((e) => e.event === "RouterExecutionStarted")).toMatchObject({
      selected_steps: ["long"],
    });
    expect((await wf.run("hi").collect()).content).toBe("short answer");
    const bad = new Workflow({
      name: "B",
      steps: [router({ name: "pick", choices: [short], select: () => "nope" })],
    });
    const badEvents = await eventsOf(bad.run("x"));
    expect(badEvents.at(-1)).toMatchObject({
      event: "WorkflowError",
      error: "Step 'pick' failed: Router 'pick' chose 'nope', which is not one of its choices: short",
    });
  });
});

describe("failures and retries", () => {
  it("a failing step ends the workflow with WorkflowError naming it; earlier results are stored", async () => {
    let later = false;
    const wf = new Workflow({
      name: "F",
      db: env.db,
      steps: [
        step({ name: "research", agent: agent("r", "notes") }),
        step({
          name: "write",
          agent: new Agent({
            id: "w",
            name: "W",
            model: new ScriptedModel({ fallback: [{ error: "writer model down" }] }),
          }),
        }),
        step({ name: "publish", run: () => (later = true) }),
      ],
    });
    const stream = wf.run("topic");
    const events = await eventsOf(stream);
    const out = await stream.output;
    expect(events.at(-1)).toMatchObject({
      event: "WorkflowError",
      error: "Step 'write' failed: Agent 'w' failed: writer model down",
      step_name: "write",
    });
    expect(named(events, "StepError")).toHaveLength(1);
    expect(rootTerminals(events, WF_TERMINALS)).toHaveLength(1);
    expect(later).toBe(false);
    const stored = await env.db.runs.get(out.run_id);
    expect(stored).toMatchObject({
      status: "ERROR",
      content: "notes",
      error: "Step 'write' failed: Agent 'w' failed: writer model down",
    });
    expect((stored!.step_results as StepResult[]).map((r) => [r.step_name, r.success, r.content])).toEqual([
      ["research", true, "notes"],
      ["write", false, null],
    ]);
    const children = await env.db.runs.list({ parentRunId: out.run_id });
    expect(children.map((c) => [c.agent_id, c.status])).toEqual([
      ["r", "COMPLETED"],
      ["w", "ERROR"],
    ]);
  });

  it("an agent step that pauses for a person fails the workflow instead of hanging it", async () => {
    const approve = tool({
      name: "approve_spend",
      description: "Approves a spend",
      input: z.object({}),
      requiresConfirmation: true,
      execute: () => "approved",
    });
    const wf = new Workflow({
      name: "P",
      db: env.db,
      steps: [
        step({
          name: "spend",
          agent: new Agent({
            id: "s",
            name: "S",
            tools: [approve],
            model: new ScriptedModel([[{ toolCall: { name: "approve_spend", args: {} } }]]),
          }),
        }),
      ],
    });
    const stream = wf.run("buy");
    const events = await eventsOf(stream);
    const out = await stream.output;
    expect(out.status).toBe("ERROR");
    expect(out.error).toContain(
      "Step 'spend' failed: Agent 's' failed: paused for human input (approve_spend)",
    );
    expect(events.some((e) => e.event === "RunPaused")).toBe(false);
    expect(rootTerminals(events, WF_TERMINALS).map((e) => e.event)).toEqual(["WorkflowError"]);
    const children = await env.db.runs.list({ parentRunId: out.run_id });
    expect(children.map((c) => [c.agent_id, c.status])).toEqual([["s", "ERROR"]]);
  });

  it("retries a step as many times as it declares", async () => {
    let calls = 0;
    const run = () => {
      if (++calls < 3) throw new Error(`attempt ${calls} failed`);
      return "third time lucky";
    };
    const stream = new Workflow({ name: "R", steps: [step({ name: "flaky", retries: 2, run })] }).run("x");
    const events = await eventsOf(stream);
    const out = await stream.output;
    expect(out.content).toBe("third time lucky");
    expect(
      named(events, "StepError").map((e) => [field(e, "error"), field(e, "attempt"), field(e, "will_retry")]),
    ).toEqual([
      ["attempt 1 failed", 1, true],
      ["attempt 2 failed", 2, true],
    ]);
    expect((out.step_results as StepResult[])[0]).toMatchObject({ attempts: 3, success: true });

    calls = -10;
    const exhausted = new Workflow({ name: "E", steps: [step({ name: "flaky", retries: 1, run })] }).run("x");
    const failed = await eventsOf(exhausted);
    expect(named(failed, "StepError").map((e) => field(e, "will_retry"))).toEqual([true, false]);
    expect(failed.at(-1)).toMatchObject({ event: "WorkflowError", step_name: "flaky" });
    expect(((await exhausted.output).step_results as StepResult[])[0]).toMatchObject({
      attempts: 2,
      success: false,
    });
  });
});

describe("cancellation", () => {
  it("cancels the running step: its run ends CANCELLED and WorkflowCancelled is the one terminal event", async () => {
    const slow = new Agent({
      id: "slow",
      name: "Slow",
      model: new ScriptedModel({ fallback: [{ text: "begin " }, { delayMs: 5000 }, { text: "end" }] }),
    });
    const wf = new Workflow({
      name: "C",
      db: env.db,
      steps: [
        step({ name: "first", run: () => "first done" }),
        parallel({
          name: "both",
          steps: [step({ name: "s1", agent: slow }), step({ name: "s2", agent: slow })],
        }),
        step({ name: "never", run: () => "x" }),
      ],
    });
    const controller = new AbortController();
    const stream = wf.run("go", { signal: controller.signal });
    const events: RunEvent[] = [];
    let at = 0;
    for await (const ev of stream) {
      events.push(ev);
      if (!at && named(events, "RunContent").length === 2) {
        at = Date.now();
        controller.abort();
      }
    }
    expect(Date.now() - at).toBeLessThan(1500);
    const out = await stream.output;
    expect(events.at(-1)).toMatchObject({
      event: "WorkflowCancelled",
      reason: "Run cancelled",
      content: "first done",
    });
    expect(rootTerminals(events, WF_TERMINALS)).toHaveLength(1);
    expect(named(events, "RunCancelled")).toHaveLength(2);
    expect(out.status).toBe("CANCELLED");
    const stored = await env.db.runs.get(out.run_id);
    expect(stored!.status).toBe("CANCELLED");
    expect((stored!.step_results as StepResult[]).map((r) => [r.step_name, r.success])).toEqual([
      ["first", true],
      ["both", false],
    ]);
    const children = await env.db.runs.list({ parentRunId: out.run_id });
    expect(children.map((c) => c.status)).toEqual(["CANCELLED", "CANCELLED"]);
  });

  it("a function step that ignores its signal is abandoned at once", async () => {
    const wf = new Workflow({
      name: "C",
      steps: [step({ name: "stuck", run: () => new Promise(() => {}) })],
    });
    const controller = new AbortController();
    const stream = wf.run("go", { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const events = await eventsOf(stream);
    expect(events.at(-1)!.event).toBe("WorkflowCancelled");
  });
});

describe("input", () => {
  const wf = () =>
    new Workflow({
      name: "Typed",
      db: env.db,
      inputSchema: z.object({ topic: z.string().min(1), words: z.number().int().positive().default(100) }),
      steps: [step({ name: "echo", run: (s) => s.input })],
    });

  it("takes a JSON value (or JSON text) that the schema accepts, with its defaults", async () => {
    expect(
      (
        await wf()
          .run({ message: { topic: "tea" } })
          .collect()
      ).content,
    ).toEqual({ topic: "tea", words: 100 });
    const out = await wf().run('{"topic":"tea","words":5}').collect();
    expect(out.content).toEqual({ topic: "tea", words: 5 });
    expect(out.input.input_content).toEqual({ topic: "tea", words: 5 });
  });

  it("refuses input the schema rejects before anything is stored", async () => {
    for (const bad of [{ topic: "" }, "just text", { words: 3 }]) {
      const stream = wf().run({ message: bad });
      await expect(stream.collect()).rejects.toBeInstanceOf(ValidationError);
    }
    try {
      wf().validateInput({ topic: 1 });
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).issues[0]).toMatchObject({
        loc: ["input", "topic"],
        type: "invalid_type",
      });
    }
    expect((await env.db.sessions.list({ limit: 10 })).sessions).toEqual([]);
  });
});

describe("definition", () => {
  it("refuses duplicate step names, empty step lists and bad limits", () => {
    const s = (name: string) => step({ name, run: () => 1 });
    expect(() => new Workflow({ name: "W", steps: [] })).toThrow(/at least one step/);
    expect(
      () => new Workflow({ name: "W", steps: [s("a"), parallel({ name: "p", steps: [s("a")] })] }),
    ).toThrow(/two steps named 'a'/);
    expect(
      () => new Workflow({ name: "W", steps: [loop({ name: "l", steps: [s("a")], maxIterations: 0 })] }),
    ).toThrow(/maxIterations/);
    expect(
      () => new Workflow({ name: "W", steps: [step({ name: "a", run: () => 1, retries: -1 })] }),
    ).toThrow(/retries/);
    expect(
      () => new Workflow({ name: "W", steps: [router({ name: "r", choices: [], select: () => [] })] }),
    ).toThrow(/at least one choice/);
  });

  it("refuses to run when a step's agent keeps its runs in another db, storing nothing", async () => {
    const other = await tempSqlite();
    try {
      const a = new Agent({ id: "a", name: "A", model: ScriptedModel.reply("y"), db: other.db });
      const wf = new Workflow({ name: "W", db: env.db, steps: [parallel({ name: "p", steps: [a] })] });
      await expect(wf.run("go").collect()).rejects.toThrow("Workflow 'w': 'a' keeps its runs in another db");
      expect((await env.db.sessions.list({ limit: 10 })).sessions).toEqual([]);
    } finally {
      await other.cleanup();
    }
  });

  it("describes its steps, nested ones included", () => {
    const a = agent("writer", "x");
    const wf = new Workflow({
      name: "Content Workflow",
      inputSchema: z.object({ topic: z.string() }),
      steps: [a, parallel({ name: "both", steps: [step({ name: "count", run: function countWords() {} })] })],
    });
    expect(wf.info()).toMatchObject({
      kind: "workflow",
      id: "content-workflow",
      model: null,
      steps: [
        { name: "WRITER", kind: "agent", ref: "writer" },
        { name: "both", kind: "parallel", steps: [{ name: "count", kind: "function", ref: "countWords" }] },
      ],
      settings: { input_schema: { type: "object", properties: { topic: { type: "string" } } } },
    });
  });
});
