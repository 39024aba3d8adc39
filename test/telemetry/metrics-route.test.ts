import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/index.js";
import { DAY1, DAY2, seedRun } from "../storage/metrics-store-contract.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

describe("GET /metrics", () => {
  let t: TestOS;
  beforeAll(async () => {
    t = await testOS({
      agents: [new Agent({ id: "helper", name: "Helper", model: ScriptedModel.reply("ok") })],
    });
    const store = t.os.store;
    const h = 3_600_000;
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      await seedRun(store, {
        at: DAY1 + h,
        id: "helper",
        status: "COMPLETED",
        ms: 120,
        ttft: 15,
        inTok: 10,
        outTok: 4,
        user: "u1",
      });
      await seedRun(store, {
        at: DAY1 + 2 * h,
        id: "helper",
        status: "ERROR",
        ms: 80,
        ttft: null,
        inTok: 3,
        outTok: 0,
        user: "u2",
      });
      await seedRun(store, {
        at: DAY2 + h,
        id: "helper",
        status: "COMPLETED",
        ms: 200,
        ttft: 25,
        inTok: 7,
        outTok: 6,
        user: "u1",
      });
      await seedRun(store, {
        at: DAY2 + 2 * h,
        id: "gone",
        status: "CANCELLED",
        ms: 50,
        ttft: 5,
        inTok: 1,
        outTok: 1,
        user: null,
      });
    } finally {
      vi.useRealTimers();
    }
  });
  afterAll(() => t.cleanup());

  it("answers the documented shape with hand-computed values, names from the OS", async () => {
    const res = await t.inject({ method: "GET", url: "/metrics?from=2001-03-04&to=2001-03-05" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      from: "2001-03-04",
      to: "2001-03-05",
      totals: { runs: 4, errors: 1, input_tokens: 21, output_tokens: 11 },
      agents: [
        {
          id: "gone",
          name: "gone",
          runs: 1,
          completed: 0,
          errors: 0,
          cancelled: 1,
          error_rate: 0,
          latency_ms: { p50: 50, p95: 50, p99: 50 },
          time_to_first_token_ms: { p50: 5, p95: 5 },
          input_tokens: 1,
          output_tokens: 1,
        },
        {
          id: "helper",
          name: "Helper",
          runs: 3,
          completed: 2,
          errors: 1,
          cancelled: 0,
          error_rate: 0.3333,
          // 80, 120, 200: ranks ceil(1.5)=2, ceil(2.85)=3, ceil(2.97)=3
          latency_ms: { p50: 120, p95: 200, p99: 200 },
          // 15, 25: ranks 1 and 2
          time_to_first_token_ms: { p50: 15, p95: 25 },
          input_tokens: 20,
          output_tokens: 10,
        },
      ],
      teams: [],
      workflows: [],
      daily: [
        { date: "2001-03-04", runs: 2, errors: 1, input_tokens: 13, output_tokens: 4, users: 2 },
        { date: "2001-03-05", runs: 2, errors: 0, input_tokens: 8, output_tokens: 7, users: 1 },
      ],
    });
  });

  it("filters by day and by component", async () => {
    const day2 = (await t.inject({ method: "GET", url: "/metrics?from=2001-03-05&to=2001-03-05" })).json();
    expect(day2.totals).toEqual({ runs: 2, errors: 0, input_tokens: 8, output_tokens: 7 });
    const helper = (
      await t.inject({ method: "GET", url: "/metrics?from=2001-03-04&to=2001-03-05&agent_id=helper" })
    ).json();
    expect(helper.agents.map((a: { id: string }) => a.id)).toEqual(["helper"]);
    expect(helper.totals).toEqual({ runs: 3, errors: 1, input_tokens: 20, output_tokens: 10 });
    const team = (
      await t.inject({ method: "GET", url: "/metrics?from=2001-03-04&to=2001-03-05&team_id=helper" })
    ).json();
    expect(team.totals.runs).toBe(0);
  });

  it("defaults to the last 30 days", async () => {
    const body = (await t.inject({ method: "GET", url: "/metrics" })).json();
    const today = new Date().toISOString().slice(0, 10);
    expect(body.to).toBe(today);
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(29 * 86_400_000);
    expect(body.totals.runs).toBe(0);
  });

  it("answers 400 for bad dates and filters, never 500", async () => {
    for (const q of [
      "from=2001-02-30",
      "to=yesterday",
      "from=2001-03-05&to=2001-03-04",
      "agent_id=a&team_id=b",
      "from=20010304",
    ]) {
      const res = await t.inject({ method: "GET", url: `/metrics?${q}` });
      expect([400, 422], q).toContain(res.statusCode);
      expect(res.json().detail, q).toBeTruthy();
    }
  });
});
