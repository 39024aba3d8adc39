import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/ids.js";
import type { RunEvent, RunOutput } from "../../src/run/index.js";
import { emptyMetrics } from "../../src/run/index.js";
import type { Store } from "../../src/storage/index.js";
import { knowledgeStoreContract } from "./knowledge-store-contract.js";
import { memoryStoreContract } from "./memory-store-contract.js";
import { metricsStoreContract } from "./metrics-store-contract.js";
import { traceStoreContract } from "./trace-store-contract.js";

/** A run body for tests. */
export function runOf(over: Partial<RunOutput> & { session_id: string }): RunOutput {
  return {
    run_id: newId(),
    user_id: null,
    parent_run_id: null,
    component_kind: "agent",
    agent_id: "a",
    agent_name: "A",
    status: "RUNNING",
    input: { input_content: "hi" },
    content: "",
    content_type: "str",
    messages: [{ role: "user", content: "hi", created_at: 1 }],
    tools: [],
    metrics: emptyMetrics(),
    model: "m",
    model_provider: "p",
    session_state: null,
    metadata: null,
    error: null,
    created_at: Math.floor(Date.now() / 1000),
    updated_at: Math.floor(Date.now() / 1000),
    ...over,
  };
}

const seed = (session_id: string, user_id: string | null = null, component_id = "a") => ({
  session_id,
  session_type: "agent" as const,
  component_id,
  user_id,
});

/** The behaviour every Store backend must have; each backend's test file calls this. */
export function storeContract(
  name: string,
  make: () => Promise<{ store: Store; cleanup: () => Promise<void> }>,
) {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await make());
      await store.migrate();
      await store.migrate(); // idempotent
    });
    afterAll(() => cleanup());

    it("begins a run in a new session and finishes it with the session update in one go", async () => {
      const sid = newId();
      const run = runOf({ session_id: sid, user_id: "u1" });
      const session = await store.runs.begin(run, seed(sid, "u1"));
      expect(session).toMatchObject({ session_id: sid, agent_id: "a", user_id: "u1", session_type: "agent" });
      expect((await store.runs.get(run.run_id))?.status).toBe("RUNNING");
      run.status = "COMPLETED";
      run.content = "done";
      run.metrics.input_tokens = 7;
      await store.runs.finish(run, { session_state: { k: 1 }, messages_added: 2 });
      const stored = await store.runs.get(run.run_id);
      expect(stored).toMatchObject({ status: "COMPLETED", content: "done", metrics: { input_tokens: 7 } });
      const s = await store.sessions.get(sid);
      expect(s).toMatchObject({ session_state: { k: 1 }, message_count: 2, run_count: 1 });
      expect(s!.updated_at).toBeGreaterThanOrEqual(s!.created_at);
    });

    it("refuses a session of another component (409) or another user (404)", async () => {
      const sid = newId();
      await store.runs.begin(runOf({ session_id: sid, user_id: "u1" }), seed(sid, "u1"));
      await expect(
        store.runs.begin(runOf({ session_id: sid, agent_id: "b" }), seed(sid, null, "b")),
      ).rejects.toMatchObject({ status: 409 });
      await expect(
        store.runs.begin(runOf({ session_id: sid, user_id: "u2" }), seed(sid, "u2")),
      ).rejects.toMatchObject({ status: 404 });
      expect((await store.runs.list({ sessionId: sid })).length).toBe(1);
    });

    it("keeps history in order and returns only the last N completed top-level runs", async () => {
      const sid = newId();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const run = runOf({ session_id: sid, content: `r${i}` });
        await store.runs.begin(run, seed(sid));
        run.status = i === 3 ? "ERROR" : "COMPLETED";
        await store.runs.finish(run, { messages_added: 1 });
        ids.push(run.run_id);
      }
      const child = runOf({ session_id: sid, parent_run_id: ids[0], agent_id: "member" });
      await store.runs.begin(child, seed(sid, null, "member"));
      const history = await store.runs.history(sid, "a", 3);
      expect(history.map((r) => r.content)).toEqual(["r1", "r2", "r4"]);
      expect((await store.runs.list({ sessionId: sid, topLevelOnly: true })).map((r) => r.run_id)).toEqual(
        ids,
      );
      expect((await store.runs.list({ parentRunId: ids[0] })).map((r) => r.run_id)).toEqual([child.run_id]);
      expect((await store.sessions.get(sid))?.run_count).toBe(5);
    });

    it("finds each session's first top-level run in one call", async () => {
      const [a, b, none] = [newId(), newId(), newId()];
      const run = (run_id: string, session_id: string, parent_run_id: string | null = null) =>
        runOf({ run_id, session_id, parent_run_id, input: { input_content: run_id } });
      for (const r of [run(`${a}-first`, a), run(`${b}-only`, b), run(`${a}-second`, a)])
        await store.runs.begin(r, seed(r.session_id));
      await store.runs.begin(run(`${a}-member`, a, `${a}-first`), seed(a, null, "member"));
      const firsts = await store.runs.firstRuns([a, b, none, a]);
      expect([...firsts.keys()].sort()).toEqual([a, b].sort());
      expect(firsts.get(a)).toMatchObject({ run_id: `${a}-first`, input: { input_content: `${a}-first` } });
      expect(firsts.get(b)?.run_id).toBe(`${b}-only`);
      expect((await store.runs.firstRuns([])).size).toBe(0);
    });

    it("lists runs of one user only, filtered before the limit", async () => {
      const component = `owner-${newId()}`;
      for (const user of ["u1", "u1", "u1", "u2"]) {
        const sid = newId();
        await store.runs.begin(
          runOf({ session_id: sid, user_id: user, agent_id: component }),
          seed(sid, user, component),
        );
      }
      const mine = await store.runs.list({ componentId: component, userId: "u2", limit: 1 });
      expect(mine.map((r) => r.user_id)).toEqual(["u2"]);
      expect(await store.runs.list({ componentId: component, userId: "u1" })).toHaveLength(3);
      expect(await store.runs.summaries({ componentId: component, userId: "nobody" })).toEqual([]);
    });

    it("a nested run's end leaves the session's message count and state to its parent", async () => {
      const sid = newId();
      const parent = runOf({ session_id: sid });
      await store.runs.begin(parent, seed(sid));
      const child = runOf({ session_id: sid, parent_run_id: parent.run_id, agent_id: "member" });
      await store.runs.begin(child, seed(sid, null, "member"));
      child.status = "COMPLETED";
      await store.runs.finish(child, { session_state: { from: "member" }, messages_added: 2 });
      expect(await store.runs.get(child.run_id)).toMatchObject({ status: "COMPLETED" });
      expect(await store.sessions.get(sid)).toMatchObject({
        message_count: 0,
        session_state: null,
        run_count: 1,
      });
      parent.status = "COMPLETED";
      await store.runs.finish(parent, { session_state: { from: "parent" }, messages_added: 2 });
      expect(await store.sessions.get(sid)).toMatchObject({
        message_count: 2,
        session_state: { from: "parent" },
      });
    });

    it("lists sessions newest first with filters and a stable cursor", async () => {
      const user = `lister-${newId()}`;
      const made: string[] = [];
      for (let i = 0; i < 7; i++) {
        const sid = newId();
        await store.runs.begin(runOf({ session_id: sid, user_id: user }), seed(sid, user));
        made.push(sid);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.sessions.list({ userId: user, limit: 3, cursor });
        seen.push(...page.sessions.map((s) => s.session_id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual([...made].reverse());
      expect((await store.sessions.list({ userId: user, componentId: "zzz", limit: 10 })).sessions).toEqual(
        [],
      );
    });

    it("pages sessions by offset with the total count, sorted by the column asked for", async () => {
      const user = `pager-${newId()}`;
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        const sid = newId();
        await store.runs.begin(runOf({ session_id: sid, user_id: user }), seed(sid, user, i < 3 ? "a" : "b"));
        await store.sessions.update(sid, { session_name: `name ${4 - i}` });
        made.push(sid);
      }
      const first = await store.sessions.page({ userId: user, limit: 2, offset: 0 });
      expect(first.total).toBe(5);
      expect(first.sessions.map((s) => s.session_id)).toEqual([made[4], made[3]]);
      const last = await store.sessions.page({ userId: user, limit: 2, offset: 4 });
      expect(last).toMatchObject({ total: 5 });
      expect(last.sessions.map((s) => s.session_id)).toEqual([made[0]]);
      const byName = await store.sessions.page({
        userId: user,
        limit: 10,
        offset: 0,
        sortBy: "session_name",
        sortOrder: "asc",
      });
      expect(byName.sessions.map((s) => s.session_name)).toEqual([
        "name 0",
        "name 1",
        "name 2",
        "name 3",
        "name 4",
      ]);
      const filtered = await store.sessions.page({ userId: user, componentId: "a", limit: 1, offset: 1 });
      expect(filtered.total).toBe(3);
      expect(filtered.sessions.map((s) => s.session_id)).toEqual([made[1]]);
      expect(await store.sessions.page({ userId: `nobody-${newId()}`, limit: 5, offset: 0 })).toEqual({
        sessions: [],
        total: 0,
      });
    });

    it("filters sessions by a name substring taken literally (% and _ are not wildcards)", async () => {
      const user = `names-${newId()}`;
      const names = ["50%_off deal", "500 off deal", "plain"];
      const ids: string[] = [];
      for (const name of names) {
        const sid = newId();
        await store.runs.begin(runOf({ session_id: sid, user_id: user }), seed(sid, user));
        await store.sessions.update(sid, { session_name: name });
        ids.push(sid);
      }
      const found = await store.sessions.list({ userId: user, nameContains: "0%_o", limit: 10 });
      expect(found.sessions.map((s) => s.session_name)).toEqual(["50%_off deal"]);
      const under = await store.sessions.list({ userId: user, nameContains: "_", limit: 10 });
      expect(under.sessions.map((s) => s.session_id)).toEqual([ids[0]]);
    });

    it("updates and deletes sessions with their runs and events", async () => {
      const sid = newId();
      const run = runOf({ session_id: sid });
      await store.runs.begin(run, seed(sid));
      await store.events.append(run.run_id, [
        {
          event: "RunStarted",
          run_id: run.run_id,
          session_id: sid,
          event_index: 0,
          created_at: 1,
          nested_depth: 0,
        } as RunEvent,
      ]);
      expect(await store.sessions.update(sid, { session_name: "n", metadata: { a: 1 } })).toMatchObject({
        session_name: "n",
        metadata: { a: 1 },
      });
      expect(await store.sessions.update("missing", { session_name: "n" })).toBeUndefined();
      expect(await store.sessions.delete(sid)).toBe(true);
      expect(await store.sessions.get(sid)).toBeUndefined();
      expect(await store.runs.get(run.run_id)).toBeUndefined();
      expect(await store.events.list(run.run_id, -1)).toEqual([]);
      expect(await store.sessions.delete(sid)).toBe(false);
    });

    it("appends events idempotently, reads them after an index, prunes old ones", async () => {
      const runId = newId();
      const ev = (i: number) =>
        ({
          event: "RunContent",
          content: `c${i}`,
          run_id: runId,
          session_id: "s",
          event_index: i,
          created_at: 1,
          nested_depth: 0,
        }) as RunEvent;
      await store.events.append(runId, [ev(0), ev(1), ev(2)]);
      await store.events.append(runId, [ev(2), ev(3)]);
      await store.events.append(runId, [ev(5), ev(4)]);
      expect((await store.events.list(runId, 1)).map((e) => e.event_index)).toEqual([2, 3, 4, 5]);
      expect((await store.events.list(runId, -1)).map((e) => e.event_index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(await store.events.lastIndex(runId)).toBe(5);
      expect(await store.events.lastIndex("no-such-run")).toBe(-1);
      // A nested run's event is kept in the stream it was sent in, under that stream's run id.
      await store.events.append(runId, [{ ...ev(6), run_id: "member-run" } as RunEvent]);
      expect((await store.events.list(runId, 5)).map((e) => e.run_id)).toEqual(["member-run"]);
      expect(await store.events.prune(Date.now() + 1000, 1)).toBeGreaterThanOrEqual(2);
      expect(await store.events.list(runId, -1)).toEqual([]);
    });

    it("marks runs a crash left RUNNING or PENDING as ERROR", async () => {
      const sid = newId();
      const running = runOf({ session_id: sid });
      const pending = runOf({ session_id: sid, status: "PENDING" });
      await store.runs.begin(running, seed(sid));
      await store.runs.begin(pending, seed(sid));
      const failed = await store.runs.failUnfinished("interrupted by restart");
      expect(failed).toEqual(expect.arrayContaining([running.run_id, pending.run_id]));
      expect(await store.runs.get(running.run_id)).toMatchObject({
        status: "ERROR",
        error: "interrupted by restart",
      });
    });

    it("prunes only events of runs that ended before the cutoff; a paused or live run keeps its events", async () => {
      const sid = newId();
      const ev = (runId: string) =>
        [0, 1].map(
          (i) =>
            ({
              event: "RunContent",
              run_id: runId,
              session_id: sid,
              event_index: i,
              created_at: 1,
              nested_depth: 0,
            }) as RunEvent,
        );
      const runs: Record<string, RunOutput> = {};
      for (const status of ["COMPLETED", "PAUSED", "RUNNING", "CANCELLED"] as const) {
        const run = runOf({ session_id: sid });
        await store.runs.begin(run, seed(sid));
        run.status = status;
        await store.runs.save(run);
        await store.events.append(run.run_id, ev(run.run_id));
        runs[status] = run;
      }
      const cutoff = Date.now() + 1000;
      await store.events.prune(cutoff, 1);
      expect(await store.events.list(runs.COMPLETED.run_id, -1)).toEqual([]);
      expect(await store.events.list(runs.CANCELLED.run_id, -1)).toEqual([]);
      expect(await store.events.list(runs.PAUSED.run_id, -1)).toHaveLength(2);
      expect(await store.events.list(runs.RUNNING.run_id, -1)).toHaveLength(2);
      // A run that ended after the cutoff keeps its events however old they are.
      const recent = runOf({ session_id: sid, status: "COMPLETED" });
      await store.runs.begin(recent, seed(sid));
      await store.events.append(recent.run_id, ev(recent.run_id));
      await store.events.prune(Date.now() - 60_000);
      expect(await store.events.list(recent.run_id, -1)).toHaveLength(2);
    });

    it("moves a run between statuses only from the expected one (one winner among concurrent moves)", async () => {
      const sid = newId();
      const run = runOf({ session_id: sid, status: "PAUSED" });
      await store.runs.begin(run, seed(sid));
      const results = await Promise.all(
        Array.from({ length: 5 }, () => store.runs.transition(run.run_id, "PAUSED", "RUNNING")),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.runs.get(run.run_id))?.status).toBe("RUNNING");
      expect(await store.runs.transition(run.run_id, "PAUSED", "RUNNING")).toBe(false);
      expect(await store.runs.transition("missing", "PAUSED", "RUNNING")).toBe(false);
    });

    it("claims an idempotency key once, frees it on release, and lets an expired one be claimed again", async () => {
      const scope = `agent:a:${newId()}`;
      const now = Date.now();
      const rec = (runId: string, created = now) => ({
        scope,
        key: "k1",
        request_hash: `h-${runId}`,
        run_id: runId,
        session_id: `s-${runId}`,
        created_at: created,
        expires_at: created + 60_000,
      });
      const claims = await Promise.all(["r1", "r2", "r3"].map((id) => store.idempotency.claim(rec(id))));
      expect(claims.filter((c) => c.claimed)).toHaveLength(1);
      const winner = claims.find((c) => c.claimed)!.record;
      for (const c of claims) expect(c.record).toEqual(winner);
      // Another scope is another key.
      expect((await store.idempotency.claim({ ...rec("r9"), scope: `${scope}-other` })).claimed).toBe(true);
      await store.idempotency.release(scope, "k1", "not-the-holder");
      expect((await store.idempotency.claim(rec("r4"))).claimed).toBe(false);
      await store.idempotency.release(scope, "k1", winner.run_id);
      expect((await store.idempotency.claim(rec("r5"))).claimed).toBe(true);
      // Past its expiry the key is free again, and prune removes expired records.
      const later = now + 120_000;
      expect((await store.idempotency.claim(rec("r6", later))).claimed).toBe(true);
      expect(await store.idempotency.prune(later + 61_000)).toBeGreaterThanOrEqual(1);
      expect((await store.idempotency.claim(rec("r7", later))).record.run_id).toBe("r7");
    });

    it("writing a run costs the same whatever the session's size (one row per run)", async () => {
      const sid = newId();
      for (let i = 0; i < 50; i++) {
        const run = runOf({ session_id: sid, content: "x".repeat(1000) });
        await store.runs.begin(run, seed(sid));
      }
      const summaries = await store.runs.summaries({ sessionId: sid });
      expect(summaries).toHaveLength(50);
      expect(summaries[0]).not.toHaveProperty("data");
    });

    knowledgeStoreContract(() => store);
    memoryStoreContract(() => store);
    traceStoreContract(() => store);
    metricsStoreContract(() => store);
  });
}
