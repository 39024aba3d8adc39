import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/run/index.js";
import { RedisRateLimitCounter, RedisRunBus } from "../../src/runtime/redis/index.js";
import { redisUrl } from "../helpers/services.js";

const url = redisUrl();
const prefix = `agentos-test-${randomBytes(4).toString("hex")}`;
const bus = (replicaId: string, leaseMs = 10_000) =>
  new RedisRunBus({ url: url!, prefix, replicaId, leaseMs });
const ev = (runId: string, i: number, event = "RunContent") =>
  ({ event, run_id: runId, event_index: i, created_at: 0, content: `c${i}` }) as unknown as RunEvent;

describe.skipIf(!url)("RedisRunBus (real Redis)", () => {
  let a: RedisRunBus;
  let b: RedisRunBus;
  beforeAll(async () => {
    a = bus("A");
    b = bus("B");
    await Promise.all([a.start(), b.start()]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it("connects nothing at construction", async () => {
    const idle = bus("idle");
    await expect(idle.ping()).rejects.toThrow(/not connected/);
    await idle.close();
  });

  it("carries a cancel request to the other replica within a second", async () => {
    const got = new Promise<[string, string]>((resolve) => b.onCancel((id, reason) => resolve([id, reason])));
    const t0 = Date.now();
    await a.publishCancel("run-x", "stop please");
    expect(await got).toEqual(["run-x", "stop please"]);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("lets another replica follow a run's events in order, from any index, without repeats", async () => {
    const runId = `r-${randomBytes(3).toString("hex")}`;
    a.publishEvents(runId, [ev(runId, 0), ev(runId, 1), ev(runId, 2)]);
    const seen: number[] = [];
    let last = -1;
    while (seen.length < 3) {
      const batch = await b.follow(runId, last);
      for (const e of batch) seen.push(e.event_index);
      last = seen[seen.length - 1] ?? last;
    }
    expect(seen).toEqual([0, 1, 2]);
    // A reader that has 0 gets 1 and 2; one that waits gets the next event as it comes.
    expect((await b.follow(runId, 0)).map((e) => e.event_index)).toEqual([1, 2]);
    const waiting = b.follow(runId, 2);
    setTimeout(() => a.publishEvents(runId, [ev(runId, 3, "RunCompleted")]), 50);
    expect((await waiting).map((e) => [e.event_index, e.event])).toEqual([[3, "RunCompleted"]]);
    // The stream is bounded in time.
    const ttl = await a.redis.pttl(`${prefix}:run:{${runId}}:events`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it("gives a session's runs their turns in arrival order across replicas", async () => {
    const session = `s-${randomBytes(3).toString("hex")}`;
    const order: string[] = [];
    const ac = new AbortController();
    const r1 = await a.acquireSession(session, "one", ac.signal);
    order.push("one");
    const second = b
      .acquireSession(session, "two", ac.signal)
      .then((release) => (order.push("two"), release));
    await new Promise((r) => setTimeout(r, 100));
    expect(order).toEqual(["one"]);
    expect(await b.sessionRuns(session)).toEqual(["one", "two"]);
    // reject: only into an empty line.
    expect(await b.enterSession(session, "three", true)).toBe(false);
    r1();
    const r2 = await second;
    expect(order).toEqual(["one", "two"]);
    r2();
    await new Promise((r) => setTimeout(r, 50));
    expect(await a.sessionRuns(session)).toEqual([]);
  });

  it("passes the turn on when the replica holding it dies (its lease expires)", async () => {
    const session = `s-${randomBytes(3).toString("hex")}`;
    const dying = bus("dying", 300);
    await dying.start();
    await dying.acquireSession(session, "held", new AbortController().signal);
    // The replica vanishes without leaving the line (no release, no more heartbeats).
    await dying.close();
    const t0 = Date.now();
    const release = await b.acquireSession(session, "next", new AbortController().signal);
    const waited = Date.now() - t0;
    expect(waited).toBeLessThan(2_000);
    release();
  });

  it("shares rate-limit counts between replicas", async () => {
    const key = `k-${randomBytes(3).toString("hex")}`;
    const ca = new RedisRateLimitCounter(() => a.redis, prefix);
    const cb = new RedisRateLimitCounter(() => b.redis, prefix);
    expect((await ca.hit(key, 60_000)).count).toBe(1);
    expect((await cb.hit(key, 60_000)).count).toBe(2);
    const third = await ca.hit(key, 60_000);
    expect(third.count).toBe(3);
    expect(third.resetAt - Date.now()).toBeGreaterThan(59_000);
  });
});
