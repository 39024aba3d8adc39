import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/index.js";
import type { RunEvent, RunOutput } from "../../src/run/index.js";
import { Team } from "../../src/team/index.js";
import { tool } from "../../src/tool/index.js";
import { eventsOf, field, promptOf, rootTerminals, toolsOf } from "../helpers/run-events.js";
import { tempSqlite } from "../helpers/temp-store.js";

let env: Awaited<ReturnType<typeof tempSqlite>>;
beforeEach(async () => {
  env = await tempSqlite();
});
afterEach(async () => {
  await env.cleanup();
});

/** A member that streams "<text>" in two halves with a pause between them. */
function member(
  id: string,
  text: string,
  pauseMs = 20,
  extra: Partial<ConstructorParameters<typeof Agent>[0]> = {},
) {
  const [head, tail] = [text.slice(0, Math.ceil(text.length / 2)), text.slice(Math.ceil(text.length / 2))];
  return new Agent({
    id,
    name: id.toUpperCase(),
    role: `the ${id} specialist`,
    model: new ScriptedModel({
      fallback: [{ text: head, chunks: 1 }, { delayMs: pauseMs }, { text: tail, chunks: 1 }],
    }),
    ...extra,
  });
}

function broken(id: string, message = "boom") {
  return new Agent({
    id,
    name: id.toUpperCase(),
    model: new ScriptedModel({ fallback: [{ error: message }] }),
  });
}

const delegate = (member_id: string, task = `task for ${member_id}`) => ({
  toolCall: { name: "delegate_task_to_member", args: { member_id, task } },
});

const TEAM_TERMINALS = ["TeamRunCompleted", "TeamRunError", "TeamRunPaused"];

describe("coordinate", () => {
  it("delegates to two members in parallel, interleaves their events and links their stored runs", async () => {
    const leader = new ScriptedModel([[delegate("a"), delegate("b")], "Both said their part."]);
    const team = new Team({
      name: "Duo",
      model: leader,
      members: [member("a", "alpha answer", 40), member("b", "beta answer", 10)],
      db: env.db,
    });
    const stream = team.run("question");
    const events = await eventsOf(stream);
    const out = await stream.output;

    expect(events.map((e) => e.event_index)).toEqual(events.map((_, i) => i));
    expect(events[0]).toMatchObject({ event: "TeamRunStarted", team_id: "duo", team_name: "Duo" });
    expect(rootTerminals(events, TEAM_TERMINALS).map((e) => e.event)).toEqual(["TeamRunCompleted"]);
    expect(events.at(-1)!.event).toBe("TeamRunCompleted");

    // Member events carry their own agent id and the team run as parent, and overlap in time.
    const memberEvents = events.filter((e) => e.run_id !== out.run_id);
    for (const e of memberEvents) expect(e).toMatchObject({ parent_run_id: out.run_id, nested_depth: 1 });
    const order = memberEvents.map((e) => e.agent_id);
    const firstB = order.indexOf("b");
    const lastA = order.lastIndexOf("a");
    expect(firstB).toBeGreaterThan(0);
    expect(firstB).toBeLessThan(lastA); // b started before a finished: they ran at the same time

    expect(out).toMatchObject({
      status: "COMPLETED",
      content: "Both said their part.",
      component_kind: "team",
    });
    expect(out.member_responses!.map((m) => [m.agent_id, m.content, m.parent_run_id])).toEqual([
      ["a", "alpha answer", out.run_id],
      ["b", "beta answer", out.run_id],
    ]);
    const completed = events.at(-1)!;
    expect(field<RunOutput[]>(completed, "member_responses").map((m) => m.agent_id)).toEqual(["a", "b"]);

    // The leader saw both answers as tool results before writing the final answer.
    expect(leader.calls).toHaveLength(2);
    expect(promptOf(leader.calls[1])).toContain("alpha answer");
    expect(promptOf(leader.calls[1])).toContain("beta answer");
    expect(toolsOf(leader.calls[0])).toContain("delegate_task_to_member");

    // Stored: the member runs are nested in the team's session and linked from the team run.
    const stored = await env.db.runs.get(out.run_id);
    const children = await env.db.runs.list({ parentRunId: out.run_id });
    expect(children.map((c) => [c.agent_id, c.session_id, c.status])).toEqual([
      ["a", out.session_id, "COMPLETED"],
      ["b", out.session_id, "COMPLETED"],
    ]);
    expect(stored!.tools.map((t) => t.child_run_id).sort()).toEqual(children.map((c) => c.run_id).sort());
    const toolDone = events.filter((e) => e.event === "TeamToolCallCompleted");
    expect(toolDone.map((e) => field<{ child_run_id: string }>(e, "tool").child_run_id).sort()).toEqual(
      children.map((c) => c.run_id).sort(),
    );
    // The session counts the team's conversation only, and has one (top-level) run.
    expect(await env.db.sessions.get(out.session_id)).toMatchObject({
      session_type: "team",
      team_id: "duo",
      run_count: 1,
      message_count: 2,
    });
    expect(out.metrics.output_tokens).toBeGreaterThan(0);
  });

  it("shows a failing member to the leader as a tool error and goes on", async () => {
    const leader = new ScriptedModel([
      [delegate("a"), delegate("b")],
      (call) =>
        promptOf(call).includes("Agent 'b' failed: model exploded") ? "A answered; B failed." : "unexpected",
    ]);
    const team = new Team({
      name: "T",
      model: leader,
      members: [member("a", "fine"), broken("b", "model exploded")],
      db: env.db,
    });
    const stream = team.run("go");
    const events = await eventsOf(stream);
    const out = await stream.output;
    expect(out.status).toBe("COMPLETED");
    expect(out.content).toBe("A answered; B failed.");
    const error = events.find((e) => e.event === "TeamToolCallError")!;
    expect(field<string>(error, "error")).toBe("Error: Agent 'b' failed: model exploded");
    expect(events.some((e) => e.event === "RunError" && e.agent_id === "b")).toBe(true);
    expect(out.member_responses!.map((m) => [m.agent_id, m.status])).toEqual([
      ["a", "COMPLETED"],
      ["b", "ERROR"],
    ]);
  });

  it("a member that pauses for confirmation ends ERROR, stored so, and the leader sees why", async () => {
    const wipe = tool({
      name: "wipe_disk",
      description: "Wipes a disk",
      input: z.object({}),
      requiresConfirmation: true,
      execute: () => "wiped",
    });
    const careful = new Agent({
      id: "c",
      name: "C",
      tools: [wipe],
      model: new ScriptedModel([[{ toolCall: { name: "wipe_disk", args: {} } }]]),
    });
    const leader = new ScriptedModel([
      [delegate("c")],
      (call) =>
        promptOf(call).includes("paused for human input (wipe_disk)") ? "C needs a person." : "unexpected",
    ]);
    const team = new Team({ name: "T", model: leader, members: [careful], db: env.db });
    const stream = team.run("go");
    const events = await eventsOf(stream);
    const out = await stream.output;
    expect(out.status).toBe("COMPLETED");
    expect(out.content).toBe("C needs a person.");
    expect(events.some((e) => e.event === "RunPaused")).toBe(false);
    const memberError = events.find((e) => e.event === "RunError" && e.agent_id === "c")!;
    expect(field<string>(memberError, "content")).toContain("paused for human input (wipe_disk)");
    const stored = await env.db.runs.get(memberError.run_id);
    expect(stored!.status).toBe("ERROR");
    expect(stored!.paused_state).toBeUndefined();
    expect(rootTerminals(events, TEAM_TERMINALS).map((e) => e.event)).toEqual(["TeamRunCompleted"]);
  });

  it("a leader model failure ends the team with TeamRunError after its members stop", async () => {
    const leader = new ScriptedModel([[delegate("a")], [{ error: "leader down" }]]);
    const team = new Team({ name: "T", model: leader, members: [member("a", "ok")], db: env.db });
    const stream = team.run("go");
    const events = await eventsOf(stream);
    expect(events.at(-1)).toMatchObject({ event: "TeamRunError", content: "leader down" });
    expect((await stream.output).status).toBe("ERROR");
    expect((await env.db.runs.get((await stream.output).run_id))!.status).toBe("ERROR");
  });

  it("members share the team's session state; their changes come back to the team", async () => {
    const remember = tool({
      name: "remember",
      description: "stores a value",
      input: z.object({ value: z.string() }),
      execute: ({ value }, ctx) => {
        ctx.sessionState.remembered = value;
        return "ok";
      },
    });
    const scribe = new Agent({
      id: "scribe",
      name: "Scribe",
      tools: [remember],
      model: new ScriptedModel([[{ toolCall: { name: "remember", args: { value: "blue" } } }], "stored"]),
    });
    const team = new Team({
      name: "T",
      model: new ScriptedModel([[delegate("scribe")], "done"]),
      members: [scribe],
      db: env.db,
    });
    const out = await team.run("remember blue", { sessionState: { start: 1 } }).collect();
    expect(out.session_state).toEqual({ start: 1, remembered: "blue" });
    expect((await env.db.sessions.get(out.session_id))!.session_state).toEqual({
      start: 1,
      remembered: "blue",
    });
  });

  it("keeps its own history across runs of a session", async () => {
    const leader = new ScriptedModel({
      fallback: (call) => (promptOf(call).includes("first answer") ? "second answer" : "first answer"),
    });
    const team = new Team({
      name: "T",
      model: leader,
      members: [member("a", "x")],
      db: env.db,
      addHistoryToContext: true,
    });
    const first = await team.run("one").collect();
    const second = await team.run("two", { sessionId: first.session_id }).collect();
    expect(first.content).toBe("first answer");
    expect(second.content).toBe("second answer");
  });
});

describe("route", () => {
  it("hands the request to the chosen member and returns its answer as the team's", async () => {
    const leader = new ScriptedModel([[{ toolCall: { name: "route_to_member", args: { member_id: "b" } } }]]);
    const b = member("b", "routed answer");
    const team = new Team({
      name: "Router",
      mode: "route",
      model: leader,
      members: [member("a", "no"), b],
      db: env.db,
    });
    const stream = team.run("which?");
    const events = await eventsOf(stream);
    const out = await stream.output;
    expect(out.content).toBe("routed answer");
    expect(leader.calls).toHaveLength(1); // no second leader request: the member's answer stands
    expect(toolsOf(leader.calls[0])).toContain("route_to_member");
    expect(events.filter((e) => e.event === "TeamRunContent").map((e) => field(e, "content"))).toEqual([
      "routed answer",
    ]);
    // The member got the user's own message.
    expect(promptOf((b.options.model as ScriptedModel).calls[0])).toContain("which?");
    expect(out.member_responses!.map((m) => m.agent_id)).toEqual(["b"]);
    expect(out.messages.at(-1)).toMatchObject({ role: "assistant", content: "routed answer" });
  });

  it("gives the routed or delegated member the files of the request", async () => {
    const image = { id: "m1", kind: "image" as const, mime_type: "image/png", size: 3, content: "AAEC" };
    for (const [mode, call] of [
      ["route", { toolCall: { name: "route_to_member", args: { member_id: "a" } } }],
      ["coordinate", delegate("a")],
    ] as const) {
      const a = member("a", "seen");
      const team = new Team({ name: "M", mode, model: new ScriptedModel([[call], "done"]), members: [a] });
      await team.run({ message: "look", media: [image] }).collect();
      const userPart = (a.options.model as ScriptedModel).calls[0].prompt.find((x) => x.role === "user")!;
      expect(userPart.content, mode).toContainEqual(expect.objectContaining({ type: "file", data: "AAEC" }));
    }
  });

  it("lets the leader route elsewhere when the chosen member fails", async () => {
    const leader = new ScriptedModel([
      [{ toolCall: { name: "route_to_member", args: { member_id: "b" } } }],
      [{ toolCall: { name: "route_to_member", args: { member_id: "a" } } }],
    ]);
    const team = new Team({
      name: "R",
      mode: "route",
      model: leader,
      members: [member("a", "backup"), broken("b")],
      db: env.db,
    });
    const out = await team.run("q").collect();
    expect(out.content).toBe("backup");
    expect(out.member_responses!.map((m) => [m.agent_id, m.status])).toEqual([
      ["b", "ERROR"],
      ["a", "COMPLETED"],
    ]);
  });
});

describe("broadcast", () => {
  it("gives every member the request at once, then the leader synthesizes", async () => {
    const leader = new ScriptedModel([
      (call) =>
        `synthesis of ${promptOf(call).includes("alpha") && promptOf(call).includes("beta") ? "both" : "?"}`,
    ]);
    const a = member("a", "alpha view", 30);
    const b = member("b", "beta view", 5);
    const team = new Team({ name: "All", mode: "broadcast", model: leader, members: [a, b], db: env.db });
    const stream = team.run("opinions?");
    const events = await eventsOf(stream);
    const out = await stream.output;
    expect(out.content).toBe("synthesis of both");
    for (const m of [a, b])
      expect(promptOf((m.options.model as ScriptedModel).calls[0])).toContain("opinions?");
    expect(events.filter((e) => e.event === "TeamToolCallStarted")).toHaveLength(2);
    // Both started before either finished.
    const starts = events.filter((e) => e.event === "RunStarted").map((e) => e.event_index);
    const ends = events.filter((e) => e.event === "RunCompleted").map((e) => e.event_index);
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
    expect(leader.calls).toHaveLength(1);
    expect(leader.calls[0].prompt.at(-1)!.role).toBe("tool");
    expect(out.member_responses).toHaveLength(2);
    expect(out.metrics.tool_calls).toBe(2);
  });

  it("synthesizes from the members that answered when one fails", async () => {
    const leader = new ScriptedModel([
      (call) => (promptOf(call).includes("Agent 'b' failed") ? "only a answered" : "?"),
    ]);
    const team = new Team({
      name: "All",
      mode: "broadcast",
      model: leader,
      members: [member("a", "alpha"), broken("b")],
      db: env.db,
    });
    const out = await team.run("q").collect();
    expect(out).toMatchObject({ status: "COMPLETED", content: "only a answered" });
  });

  it("fails when every member fails, without asking the leader", async () => {
    const leader = new ScriptedModel({ fallback: "never" });
    const team = new Team({
      name: "All",
      mode: "broadcast",
      model: leader,
      members: [broken("a", "x"), broken("b", "y")],
      db: env.db,
    });
    const stream = team.run("q");
    const events = await eventsOf(stream);
    expect(events.at(-1)).toMatchObject({ event: "TeamRunError" });
    expect(field<string>(events.at(-1)!, "content")).toMatch(
      /^Every member failed: .*Agent 'a' failed: x.*Agent 'b' failed: y/,
    );
    expect(leader.calls).toHaveLength(0);
    expect((await stream.output).status).toBe("ERROR");
  });
});

describe("tasks", () => {
  const call = (name: string, args: Record<string, unknown>) => ({ toolCall: { name, args } });

  it("plans tasks, members execute them in dependency order, and the leader completes the goal", async () => {
    const leader = new ScriptedModel([
      // round 1: plan
      [
        call("create_task", { title: "Research", description: "find facts", assignee: "a" }),
        call("create_task", { title: "Write", assignee: "b", dependencies: ["task-1"] }),
      ],
      "Planned two tasks.",
      // round 2: task-1 is done; task-2 runs after this turn
      "Waiting for the writer.",
      // round 3: all done
      [call("complete_goal", { summary: "researched and written" })],
      "Final: written piece.",
    ]);
    const a = member("a", "the facts");
    const b = member("b", "the piece");
    const team = new Team({ name: "Planner", mode: "tasks", model: leader, members: [a, b], db: env.db });
    const stream = team.run("write about X");
    const events = await eventsOf(stream);
    const out = await stream.output;
    expect(out).toMatchObject({ status: "COMPLETED", content: "Final: written piece." });

    const named = (name: string) => events.filter((e) => e.event === name);
    expect(named("TeamTaskIterationStarted").map((e) => field(e, "iteration"))).toEqual([1, 2, 3]);
    expect(named("TeamTaskIterationStarted")[0]).toMatchObject({
      max_iterations: 10,
      task_summary: "No tasks yet",
    });
    expect(
      named("TeamTaskCreated").map((e) => [
        field(e, "task_id"),
        field(e, "assignee"),
        field(e, "dependencies"),
      ]),
    ).toEqual([
      ["task-1", "a", []],
      ["task-2", "b", ["task-1"]],
    ]);
    expect(
      named("TeamTaskUpdated").map((e) => [
        field(e, "task_id"),
        field(e, "previous_status"),
        field(e, "status"),
      ]),
    ).toEqual([
      ["task-1", "pending", "in_progress"],
      ["task-1", "in_progress", "completed"],
      ["task-2", "pending", "in_progress"],
      ["task-2", "in_progress", "completed"],
    ]);
    const final = named("TeamTaskStateUpdated").at(-1)!;
    expect(final).toMatchObject({
      goal_complete: true,
      completion_summary: "researched and written",
      task_summary: "2 tasks: 2 completed",
    });
    expect(field<{ id: string; result: string }[]>(final, "tasks").map((t) => [t.id, t.result])).toEqual([
      ["task-1", "the facts"],
      ["task-2", "the piece"],
    ]);
    // The writer was given the researcher's result; the leader saw the results in its task list.
    expect(promptOf((b.options.model as ScriptedModel).calls[0])).toContain("the facts");
    expect(promptOf(leader.calls[4])).toContain("Result: the piece");
    expect(out.member_responses!.map((m) => m.agent_id)).toEqual(["a", "b"]);
  });

  it("marks a task failed when its member fails, and the leader can retry it", async () => {
    let attempts = 0;
    const flaky = new Agent({
      id: "a",
      name: "A",
      model: new ScriptedModel({ fallback: () => (++attempts === 1 ? [{ error: "flaked" }] : "worked") }),
    });
    const leader = new ScriptedModel([
      [call("create_task", { title: "Do", assignee: "a" })],
      "planned",
      (c) =>
        promptOf(c).includes("[failed]")
          ? [call("update_task", { task_id: "task-1", status: "pending" })]
          : "??",
      "retrying",
      [call("complete_goal", { summary: "done" })],
      "all good",
    ]);
    const team = new Team({ name: "P", mode: "tasks", model: leader, members: [flaky], db: env.db });
    const stream = team.run("do it");
    const events = await eventsOf(stream);
    const updates = events
      .filter((e) => e.event === "TeamTaskUpdated")
      .map((e) => [field(e, "status"), field(e, "result")]);
    expect(updates).toEqual([
      ["in_progress", null],
      ["failed", "Error: Agent 'a' failed: flaked"],
      ["pending", "Error: Agent 'a' failed: flaked"],
      ["in_progress", "Error: Agent 'a' failed: flaked"],
      ["completed", "worked"],
    ]);
    expect((await stream.output).content).toBe("all good");
  });

  it("stops after maxIterations rounds and answers from what it has, without tools", async () => {
    let n = 0;
    const leader = new ScriptedModel({
      fallback: (c) =>
        toolsOf(c).length === 0
          ? "best effort"
          : c.prompt.at(-1)!.role === "tool"
            ? "more work"
            : [call("create_task", { title: `t${++n}`, assignee: "a" })],
    });
    const team = new Team({
      name: "P",
      mode: "tasks",
      model: leader,
      members: [member("a", "r")],
      db: env.db,
      maxIterations: 2,
    });
    const stream = team.run("endless");
    const events = await eventsOf(stream);
    expect(events.filter((e) => e.event === "TeamTaskIterationStarted")).toHaveLength(2);
    expect((await stream.output).content).toBe("best effort");
    expect(toolsOf(leader.calls.at(-1)!)).toEqual([]);
    expect(promptOf(leader.calls.at(-1)!)).toContain("All 2 rounds are used up");
  });

  it("ends after a round that changes nothing, with the leader's reply", async () => {
    const leader = new ScriptedModel(["Nothing to plan: the answer is 4."]);
    const team = new Team({
      name: "P",
      mode: "tasks",
      model: leader,
      members: [member("a", "r")],
      db: env.db,
    });
    const out = await team.run("2+2").collect();
    expect(out.content).toBe("Nothing to plan: the answer is 4.");
    expect(leader.calls).toHaveLength(1);
  });
});

describe("nested teams", () => {
  it("runs a team as a member: its events and runs nest one level deeper", async () => {
    const c = member("c", "deep answer");
    const inner = new Team({
      id: "inner",
      name: "Inner",
      role: "answers deep questions",
      mode: "route",
      model: new ScriptedModel([[{ toolCall: { name: "route_to_member", args: { member_id: "c" } } }]]),
      members: [c],
    });
    const outer = new Team({
      name: "Outer",
      model: new ScriptedModel([
        [delegate("inner", "go deep")],
        (call) => (promptOf(call).includes("deep answer") ? "outer done" : "?"),
      ]),
      members: [inner, member("d", "shallow")],
      db: env.db,
    });
    const stream = outer.run("question");
    const events = await eventsOf(stream);
    const out = await stream.output;
    expect(out.content).toBe("outer done");
    const innerStart = events.find((e) => e.event === "TeamRunStarted" && e.team_id === "inner")!;
    expect(innerStart).toMatchObject({ parent_run_id: out.run_id, nested_depth: 1 });
    const cStart = events.find((e) => e.event === "RunStarted" && e.agent_id === "c")!;
    expect(cStart).toMatchObject({ parent_run_id: innerStart.run_id, nested_depth: 2 });
    expect(rootTerminals(events, TEAM_TERMINALS)).toHaveLength(1);
    const innerRun = out.member_responses![0];
    expect(innerRun).toMatchObject({ component_kind: "team", team_id: "inner", content: "deep answer" });
    expect(innerRun.member_responses!.map((m) => m.agent_id)).toEqual(["c"]);
    expect((await env.db.runs.get(cStart.run_id))!.parent_run_id).toBe(innerStart.run_id);
    expect(outer.info().members).toEqual([
      { id: "inner", name: "Inner", kind: "team" },
      { id: "d", name: "D", kind: "agent" },
    ]);
  });
});

describe("cancellation", () => {
  it("cancels live members: they end CANCELLED before the team's one terminal event", async () => {
    const slow = (id: string) =>
      new Agent({
        id,
        name: id,
        model: new ScriptedModel({ fallback: [{ text: "start " }, { delayMs: 5000 }, { text: "never" }] }),
      });
    const team = new Team({
      name: "T",
      model: new ScriptedModel([[delegate("a"), delegate("b")]]),
      members: [slow("a"), slow("b")],
      db: env.db,
    });
    const controller = new AbortController();
    const stream = team.run("go", { signal: controller.signal });
    const events: RunEvent[] = [];
    let cancelledAt = 0;
    for await (const ev of stream) {
      events.push(ev);
      if (
        ev.event === "RunContent" &&
        !cancelledAt &&
        events.filter((e) => e.event === "RunContent").length === 2
      ) {
        cancelledAt = Date.now();
        controller.abort();
      }
    }
    expect(Date.now() - cancelledAt).toBeLessThan(1500);
    const out = await stream.output;
    expect(out.status).toBe("CANCELLED");
    expect(events.slice(-2).map((e) => e.event)).toEqual(["TeamRunCancelled", "TeamRunCompleted"]);
    expect(rootTerminals(events, TEAM_TERMINALS)).toHaveLength(1);
    const memberCancels = events.filter((e) => e.event === "RunCancelled");
    expect(memberCancels.map((e) => e.agent_id).sort()).toEqual(["a", "b"]);
    for (const e of memberCancels) expect(e.event_index).toBeLessThan(events.at(-2)!.event_index);
    const children = await env.db.runs.list({ parentRunId: out.run_id });
    expect(children.map((c) => c.status)).toEqual(["CANCELLED", "CANCELLED"]);
    expect((await env.db.runs.get(out.run_id))!.status).toBe("CANCELLED");
  });

  it("a run cancelled before it starts ends at once, having started no member", async () => {
    const leader = new ScriptedModel({ fallback: [delegate("a")] });
    const team = new Team({ name: "T", model: leader, members: [member("a", "x")], db: env.db });
    const controller = new AbortController();
    controller.abort();
    const events = await eventsOf(team.run("go", { signal: controller.signal }));
    expect(events.map((e) => e.event)).toEqual(["TeamRunStarted", "TeamRunCancelled", "TeamRunCompleted"]);
    expect(leader.calls).toHaveLength(0);
  });
});

describe("definition", () => {
  it("refuses teams without members, with duplicate member ids, unknown modes or bad limits", () => {
    const model = ScriptedModel.reply("x");
    expect(() => new Team({ name: "T", model, members: [] })).toThrow(/at least one member/);
    expect(() => new Team({ name: "T", model, members: [member("a", "x"), member("a", "y")] })).toThrow(
      /two members with the id 'a'/,
    );
    expect(() => new Team({ name: "T", model, members: [member("a", "x")], mode: "vote" as never })).toThrow(
      /mode must be one of/,
    );
    expect(() => new Team({ name: "T", model, members: [member("a", "x")], maxIterations: 0 })).toThrow(
      /maxIterations/,
    );
  });

  it("refuses to run when a member keeps its runs in another db, storing nothing", async () => {
    const other = await tempSqlite();
    try {
      const team = new Team({
        name: "T",
        model: ScriptedModel.reply("x"),
        members: [new Agent({ id: "a", name: "A", model: ScriptedModel.reply("y"), db: other.db })],
        db: env.db,
      });
      await expect(team.run("go").collect()).rejects.toThrow("Team 't': 'a' keeps its runs in another db");
      expect((await env.db.sessions.list({ limit: 10 })).sessions).toEqual([]);
    } finally {
      await other.cleanup();
    }
  });

  it("a consumer that stops reading leaves no member running", async () => {
    const slow = new Agent({
      id: "a",
      name: "A",
      model: new ScriptedModel({ fallback: [{ text: "start " }, { delayMs: 5000 }, { text: "end" }] }),
    });
    const team = new Team({
      name: "T",
      model: new ScriptedModel([[delegate("a")]]),
      members: [slow],
      db: env.db,
    });
    for await (const ev of team.run("go")) if (ev.event === "RunContent") break;
    let memberRun;
    for (let i = 0; i < 50 && memberRun?.status !== "CANCELLED"; i++) {
      await new Promise((r) => setTimeout(r, 20));
      [memberRun] = await env.db.runs.list({ componentId: "a" });
    }
    expect(memberRun?.status).toBe("CANCELLED");
  });

  it("describes itself: mode, members, leader model and settings", () => {
    const team = new Team({
      name: "Research Team",
      model: ScriptedModel.reply("x"),
      members: [member("a", "x")],
      mode: "tasks",
      maxIterations: 4,
    });
    const info = team.info();
    expect(info).toMatchObject({
      kind: "team",
      id: "research-team",
      mode: "tasks",
      model: "scripted:scripted-model",
      members: [{ id: "a", name: "A", kind: "agent" }],
      settings: { mode: "tasks", max_iterations: 4 },
    });
  });
});
