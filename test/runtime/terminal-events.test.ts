import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ComponentKind, RunEvent, RunOutput, Runnable } from "../../src/run/index.js";
import { DEFAULT_RUN_POLICY, EventFactory, RunStream, isTerminalEvent } from "../../src/run/index.js";
import { RunManager } from "../../src/runtime/index.js";
import { tempSqlite } from "../helpers/temp-store.js";

let env: Awaited<ReturnType<typeof tempSqlite>>;
beforeEach(async () => {
  env = await tempSqlite();
});
afterEach(async () => {
  await env.cleanup();
});

/** A component whose run starts, then throws instead of ending with its own terminal event. */
function throwsMidStream(kind: ComponentKind): Runnable {
  return {
    kind,
    id: `broken-${kind}`,
    name: "Broken",
    runPolicy: DEFAULT_RUN_POLICY,
    info: () => ({}) as never,
    run: (_input, options = {}) =>
      new RunStream(
        (async function* (): AsyncGenerator<RunEvent, RunOutput> {
          const f = new EventFactory({
            kind,
            id: `broken-${kind}`,
            name: "Broken",
            runId: options.runId!,
            sessionId: options.sessionId!,
          });
          yield kind === "workflow"
            ? f.raw("WorkflowStarted")
            : f.make("RunStarted", { model: "m", model_provider: "p" });
          throw new Error("lost the thread");
        })(),
      ),
  };
}

async function streamOf(manager: RunManager, component: Runnable): Promise<RunEvent[]> {
  const live = await manager.start({ component, input: { message: "x" } });
  const events: RunEvent[] = [];
  for await (const batch of live.subscribe(-1)) events.push(...batch);
  await live.output;
  return events;
}

describe("terminal events", () => {
  it("a workflow that fails without its own terminal event ends with WorkflowError (message in `error`)", async () => {
    const manager = new RunManager({ store: env.db, storeEvents: false });
    const events = await streamOf(manager, throwsMidStream("workflow"));
    expect(events.map((e) => e.event)).toEqual(["WorkflowStarted", "WorkflowError"]);
    expect(events[1]).toMatchObject({
      error: "lost the thread",
      event_index: 1,
      workflow_id: "broken-workflow",
    });
    await manager.close();
  });

  it("a team that fails without its own terminal event ends with TeamRunError", async () => {
    const manager = new RunManager({ store: env.db, storeEvents: false });
    const events = await streamOf(manager, throwsMidStream("team"));
    expect(events.map((e) => e.event)).toEqual(["TeamRunStarted", "TeamRunError"]);
    expect(events[1]).toMatchObject({ content: "lost the thread", team_id: "broken-team" });
    await manager.close();
  });

  it("knows each kind's terminal events, and only the root run's", () => {
    const ev = (event: string, run_id = "root") => ({ event, run_id });
    for (const name of [
      "WorkflowCompleted",
      "WorkflowError",
      "WorkflowCancelled",
      "TeamRunCompleted",
      "TeamRunError",
      "RunCompleted",
    ])
      expect(isTerminalEvent(ev(name), "root"), name).toBe(true);
    // Cancelled agents and teams still send their completion event; a nested run's end is not the stream's.
    for (const name of ["RunCancelled", "TeamRunCancelled", "StepCompleted", "WorkflowStarted"])
      expect(isTerminalEvent(ev(name), "root"), name).toBe(false);
    expect(isTerminalEvent(ev("RunCompleted", "member"), "root")).toBe(false);
    expect(isTerminalEvent(ev("TeamRunCompleted", "nested-team"), "root")).toBe(false);
  });
});
