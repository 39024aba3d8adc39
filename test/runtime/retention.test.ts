import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { RetentionSweeper } from "../../src/runtime/index.js";
import { sse } from "../helpers/sse-client.js";
import { kyselyOf } from "../helpers/temp-store.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

const HOUR = 3_600_000;
const agents = () => [new Agent({ id: "a", name: "A", model: ScriptedModel.reply("one two three") })];

let t: TestOS;
let base: string;
beforeAll(async () => {
  t = await testOS({ agents: agents() });
  base = await t.listen();
});
afterAll(() => t.cleanup());

async function finishedRun(): Promise<string> {
  const r = (await t.inject({ method: "POST", url: "/agents/a/runs", payload: { message: "x" } })).json();
  while (t.os.runs.get(r.run_id)) await new Promise((res) => setTimeout(res, 5));
  return r.run_id;
}
/** Makes a run and its stored events look `hours` old. */
async function age(runId: string, hours: number) {
  const then = Date.now() - hours * HOUR;
  await (
    await kyselyOf(t.db)
  )
    .updateTable("runs")
    .set({ updated_at: then })
    .where("run_id", "=", runId)
    .execute();
  await (
    await kyselyOf(t.db)
  )
    .updateTable("run_events")
    .set({ created_at: then })
    .where("run_id", "=", runId)
    .execute();
}
const stored = async (runId: string) => (await t.db.events.list(runId, -1)).length;

describe("event retention", () => {
  it("a sweep deletes the events of runs that ended before the window; newer and paused runs keep theirs", async () => {
    const old = await finishedRun();
    const recent = await finishedRun();
    const paused = await finishedRun();
    await age(old, 25);
    await age(paused, 25);
    await (
      await kyselyOf(t.db)
    )
      .updateTable("runs")
      .set({ status: "PAUSED" })
      .where("run_id", "=", paused)
      .execute();
    const now = Date.now();
    await t.db.idempotency.claim({
      scope: "agent:a:",
      key: "old-key",
      request_hash: "h",
      run_id: old,
      session_id: "s",
      created_at: now - 30 * HOUR,
      expires_at: now - 6 * HOUR,
    });
    const sweeper = new RetentionSweeper({ store: t.db, eventRetentionMs: 24 * HOUR });
    const swept = await sweeper.sweep();
    expect(swept.events).toBeGreaterThan(0);
    expect(swept.idempotencyKeys).toBe(1);
    expect(await stored(old)).toBe(0);
    expect(await stored(recent)).toBeGreaterThan(0);
    expect(await stored(paused)).toBeGreaterThan(0);
    // The run itself stays; its reattach closes with the terminal event rebuilt from it.
    const replay = await sse(`${base}/agents/a/runs/${old}/events`);
    await replay.done;
    expect(replay.events.map((e) => [e.event, e.data.content])).toEqual([["RunCompleted", "one two three"]]);
  });

  it("runs on a timer that does not keep the process alive, and stops", async () => {
    const run = await finishedRun();
    await age(run, 2);
    const sweeper = new RetentionSweeper({ store: t.db, eventRetentionMs: HOUR, intervalMs: 20 });
    sweeper.start();
    for (let i = 0; i < 200 && (await stored(run)) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await stored(run)).toBe(0);
    await sweeper.stop();
    const later = await finishedRun();
    await age(later, 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(await stored(later)).toBeGreaterThan(0);
  });

  it("a run's events are replayable after it ended and after a restart, within the window", async () => {
    const runId = await finishedRun();
    const live = await sse(`${base}/agents/a/runs/${runId}/events`);
    await live.done;
    await age(runId, 23);
    // A new server on the same database: its startup sweep (24 h by default) leaves this run alone.
    const next = await testOS({ agents: agents() }, t.db.file);
    try {
      const nextBase = await next.listen();
      await next.os.retention.sweep();
      const replay = await sse(`${nextBase}/agents/a/runs/${runId}/events`);
      await replay.done;
      expect(replay.events.map((e) => e.data)).toEqual(live.events.map((e) => e.data));
      expect(replay.events.length).toBeGreaterThan(3);
    } finally {
      await next.os.close();
    }
  });

  it("AgentOS sweeps at start with AGENTOS_EVENT_RETENTION_HOURS", async () => {
    const runId = await finishedRun();
    await age(runId, 3);
    const next = await testOS({ agents: agents(), env: { AGENTOS_EVENT_RETENTION_HOURS: "2" } }, t.db.file);
    try {
      for (let i = 0; i < 200 && (await stored(runId)) > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await stored(runId)).toBe(0);
    } finally {
      await next.os.close();
    }
  });
});
