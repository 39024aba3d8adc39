import { afterEach, expect, it, vi } from "vitest";
import { newId } from "../../src/ids.js";
import type { RunOutput, RunStatus } from "../../src/run/index.js";
import type { Store } from "../../src/storage/index.js";
import { runOf } from "./store-contract.js";

export const DAY1 = Date.UTC(2001, 2, 4);
export const DAY2 = Date.UTC(2001, 2, 5);
export const DAY3 = Date.UTC(2001, 2, 6);

export interface Seed {
  at: number;
  kind?: "agent" | "team";
  id: string;
  status: RunStatus;
  ms: number | null;
  ttft: number | null;
  inTok: number;
  outTok: number;
  user: string | null;
  parent?: RunOutput;
}

/** Stores one run as if it began at `at` (the clock is set for the write). */
export async function seedRun(store: Store, s: Seed): Promise<RunOutput> {
  vi.setSystemTime(s.at);
  const sid = s.parent?.session_id ?? newId();
  const kind = s.kind ?? "agent";
  const run = runOf({
    session_id: sid,
    user_id: s.user,
    parent_run_id: s.parent?.run_id ?? null,
    component_kind: kind,
    ...(kind === "team" ? { team_id: s.id, team_name: s.id, agent_id: undefined } : { agent_id: s.id }),
  });
  await store.runs.begin(run, { session_id: sid, session_type: kind, component_id: s.id, user_id: s.user });
  run.status = s.status;
  Object.assign(run.metrics, {
    time: (s.ms ?? 0) / 1000,
    time_to_first_token: s.ttft === null ? null : s.ttft / 1000,
    input_tokens: s.inTok,
    output_tokens: s.outTok,
    total_tokens: s.inTok + s.outTok,
  });
  if (s.status !== "RUNNING") await store.runs.finish(run, { messages_added: 1 });
  return run;
}

/** The MetricsStore part of the Store contract: aggregates over a seeded set, checked by hand. */
export function metricsStoreContract(store: () => Store) {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("metrics: counts, percentiles (nearest rank), tokens, days and filters match hand-computed values", async () => {
    const s = store();
    const a = `m-a-${newId()}`;
    const t = `m-t-${newId()}`;
    vi.useFakeTimers({ toFake: ["Date"] });
    const h = 3_600_000;
    await seedRun(s, {
      at: DAY1 + h,
      id: a,
      status: "COMPLETED",
      ms: 100,
      ttft: 10,
      inTok: 10,
      outTok: 5,
      user: "u1",
    });
    await seedRun(s, {
      at: DAY1 + 2 * h,
      id: a,
      status: "COMPLETED",
      ms: 300,
      ttft: 30,
      inTok: 20,
      outTok: 10,
      user: "u2",
    });
    await seedRun(s, {
      at: DAY1 + 3 * h,
      id: a,
      status: "ERROR",
      ms: 200,
      ttft: null,
      inTok: 5,
      outTok: 0,
      user: "u1",
    });
    await seedRun(s, {
      at: DAY2 + h,
      id: a,
      status: "CANCELLED",
      ms: 400,
      ttft: 40,
      inTok: 1,
      outTok: 1,
      user: "u3",
    });
    await seedRun(s, {
      at: DAY2 + 2 * h,
      id: a,
      status: "COMPLETED",
      ms: 500,
      ttft: 20,
      inTok: 2,
      outTok: 2,
      user: null,
    });
    await seedRun(s, {
      at: DAY2 + 3 * h,
      id: a,
      status: "RUNNING",
      ms: null,
      ttft: null,
      inTok: 0,
      outTok: 0,
      user: "u3",
    });
    const team = await seedRun(s, {
      at: DAY2 + 4 * h,
      kind: "team",
      id: t,
      status: "COMPLETED",
      ms: 1000,
      ttft: 50,
      inTok: 100,
      outTok: 50,
      user: "u1",
    });
    // A team member's run: it counts for its agent, but its tokens are already in the team run's.
    await seedRun(s, {
      at: DAY2 + 4 * h + 1,
      id: a,
      status: "COMPLETED",
      ms: 600,
      ttft: 60,
      inTok: 40,
      outTok: 20,
      user: "u1",
      parent: team,
    });
    // Outside the window: the first millisecond of the day after `to`.
    await seedRun(s, { at: DAY3, id: a, status: "ERROR", ms: 9, ttft: 9, inTok: 9, outTok: 9, user: "u9" });
    vi.useRealTimers();

    const all = await s.metrics.aggregate({ fromMs: DAY1, toMs: DAY3 });
    expect(all.totals).toEqual({ runs: 7, errors: 1, input_tokens: 138, output_tokens: 68 });
    expect(all.daily).toEqual([
      { date: "2001-03-04", runs: 3, errors: 1, input_tokens: 35, output_tokens: 15, users: 2 },
      { date: "2001-03-05", runs: 4, errors: 0, input_tokens: 103, output_tokens: 53, users: 2 },
    ]);
    const agent = all.components.find((c) => c.id === a);
    expect(agent).toEqual({
      kind: "agent",
      id: a,
      runs: 7,
      completed: 4,
      errors: 1,
      cancelled: 1,
      // ended runs' durations 100,200,300,400,500,600: ranks ceil(.5*6)=3, ceil(.95*6)=6, ceil(.99*6)=6
      latency_ms: { p50: 300, p95: 600, p99: 600 },
      // first tokens 10,20,30,40,60: ranks 3 and 5
      time_to_first_token_ms: { p50: 30, p95: 60, p99: null },
      input_tokens: 78,
      output_tokens: 38,
    });
    expect(all.components.find((c) => c.id === t)).toMatchObject({
      kind: "team",
      runs: 1,
      completed: 1,
      latency_ms: { p50: 1000, p95: 1000, p99: 1000 },
      time_to_first_token_ms: { p50: 50, p95: 50 },
    });

    const onlyAgent = await s.metrics.aggregate({
      fromMs: DAY1,
      toMs: DAY3,
      component: { kind: "agent", id: a },
    });
    expect(onlyAgent.components.map((c) => c.id)).toEqual([a]);
    expect(onlyAgent.totals).toEqual({ runs: 7, errors: 1, input_tokens: 78, output_tokens: 38 });
    expect(onlyAgent.daily.map((d) => [d.date, d.runs, d.users])).toEqual([
      ["2001-03-04", 3, 2],
      ["2001-03-05", 4, 2],
    ]);

    const day2 = await s.metrics.aggregate({ fromMs: DAY2, toMs: DAY3 });
    expect(day2.totals).toEqual({ runs: 4, errors: 0, input_tokens: 103, output_tokens: 53 });
    expect(day2.components.find((c) => c.id === a)?.latency_ms).toEqual({ p50: 500, p95: 600, p99: 600 });

    const none = await s.metrics.aggregate({ fromMs: DAY1, toMs: DAY3, component: { kind: "team", id: a } });
    expect(none).toEqual({
      totals: { runs: 0, errors: 0, input_tokens: 0, output_tokens: 0 },
      components: [],
      daily: [],
    });
  });

  it("metrics: roll-ups follow a run through pause, continue, restart failure and cancel, counting each run once", async () => {
    const s = store();
    const a = `m-r-${newId()}`;
    vi.useFakeTimers({ toFake: ["Date"] });
    const at = Date.UTC(2002, 0, 1, 12);
    // Paused, then continued (PAUSED -> RUNNING), then completed.
    const paused = await seedRun(s, {
      at,
      id: a,
      status: "PAUSED",
      ms: 30,
      ttft: 3,
      inTok: 1,
      outTok: 1,
      user: "u1",
    });
    expect(await s.runs.transition(paused.run_id, "PAUSED", "RUNNING")).toBe(true);
    expect(await s.runs.transition(paused.run_id, "PAUSED", "RUNNING")).toBe(false);
    paused.status = "COMPLETED";
    paused.metrics.time = 0.07;
    paused.metrics.input_tokens = 5;
    await s.runs.finish(paused, { messages_added: 1 });
    // Left RUNNING by a crash: failed at the next start.
    await seedRun(s, {
      at: at + 1,
      id: a,
      status: "RUNNING",
      ms: null,
      ttft: null,
      inTok: 2,
      outTok: 0,
      user: "u2",
    });
    // Paused, then cancelled.
    const cancelled = await seedRun(s, {
      at: at + 2,
      id: a,
      status: "PAUSED",
      ms: 10,
      ttft: null,
      inTok: 0,
      outTok: 0,
      user: "u1",
    });
    expect(await s.runs.transition(cancelled.run_id, "PAUSED", "CANCELLED")).toBe(true);
    cancelled.status = "CANCELLED";
    await s.runs.save(cancelled);
    vi.useRealTimers();
    await s.runs.failUnfinished("interrupted by restart");

    const day = Date.UTC(2002, 0, 1);
    const r = await s.metrics.aggregate({
      fromMs: day,
      toMs: day + 86_400_000,
      component: { kind: "agent", id: a },
    });
    expect(r.components).toEqual([
      {
        kind: "agent",
        id: a,
        runs: 3,
        completed: 1,
        errors: 1,
        cancelled: 1,
        // ended with a duration: 70 (completed) and 10 (cancelled); the crashed run has none
        latency_ms: { p50: 10, p95: 70, p99: 70 },
        time_to_first_token_ms: { p50: 3, p95: 3, p99: null },
        // the crashed run stored no tokens before it was failed
        input_tokens: 5,
        output_tokens: 1,
      },
    ]);
    expect(r.daily).toEqual([
      { date: "2002-01-01", runs: 3, errors: 1, input_tokens: 5, output_tokens: 1, users: 2 },
    ]);
  });
}
