import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/ids.js";
import type { RunEvent, RunOutput } from "../../src/run/index.js";
import { emptyMetrics } from "../../src/run/index.js";
import type { Store } from "../../src/storage/index.js";
import { knowledgeStoreContract } from "./knowledge-store-contract.js";
import { memoryStoreContract } from "./memory-store-contract.js";

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
  });
}
