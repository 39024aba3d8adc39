import { expect, it } from "vitest";
import { newId } from "../../src/ids.js";
import type { MemoryRecord, Store } from "../../src/storage/index.js";
import { runOf } from "./store-contract.js";

function memoryOf(over: Partial<MemoryRecord> & { user_id: string }): MemoryRecord {
  const now = Date.now();
  return {
    memory_id: newId(),
    memory: "likes tea",
    topics: [],
    agent_id: null,
    team_id: null,
    input: null,
    created_at: now,
    updated_at: now,
    ...over,
  };
}

/** The MemoryStore part of the Store contract; `store` is read when the tests run. */
export function memoryStoreContract(store: () => Store) {
  it("memories: creates, reads, updates and deletes; topics are trimmed, lower-cased and distinct", async () => {
    const user = `u-${newId()}`;
    const m = await store().memories.create(memoryOf({ user_id: user, topics: [" Food ", "food", "DRINK"] }));
    expect(m.topics).toEqual(["food", "drink"]);
    expect(await store().memories.get(m.memory_id)).toMatchObject({
      memory: "likes tea",
      topics: ["food", "drink"],
      user_id: user,
    });
    const updated = await store().memories.update(m.memory_id, { memory: "likes coffee", topics: ["drink"] });
    expect(updated).toMatchObject({ memory: "likes coffee", topics: ["drink"] });
    expect(updated!.updated_at).toBeGreaterThanOrEqual(m.updated_at);
    expect(await store().memories.topics(user)).toEqual(["drink"]);
    expect(await store().memories.update("missing", { memory: "x" })).toBeUndefined();
    expect(await store().memories.delete(m.memory_id)).toBe(true);
    expect(await store().memories.delete(m.memory_id)).toBe(false);
    expect(await store().memories.get(m.memory_id)).toBeUndefined();
    expect(await store().memories.topics(user)).toEqual([]);
  });

  it("memories: lists by user, agent, topics and text, paged with a total, in the asked order", async () => {
    const user = `u-${newId()}`;
    const t0 = Date.now();
    const made: MemoryRecord[] = [];
    for (let i = 0; i < 5; i++)
      made.push(
        await store().memories.create(
          memoryOf({
            user_id: user,
            memory: i === 3 ? "Plays the 100% Oboe" : `fact ${i}`,
            topics: i % 2 ? ["odd"] : ["even"],
            agent_id: i < 2 ? "agent-x" : null,
            updated_at: t0 + i,
            created_at: t0 + i,
          }),
        ),
      );
    await store().memories.create(memoryOf({ user_id: `other-${newId()}`, topics: ["odd"] }));
    const page = await store().memories.list({ userId: user, limit: 2, page: 1 });
    expect(page.total).toBe(5);
    expect(page.memories.map((m) => m.memory_id)).toEqual([made[4].memory_id, made[3].memory_id]);
    const asc = await store().memories.list({ userId: user, limit: 2, page: 3, sortOrder: "asc" });
    expect(asc.memories.map((m) => m.memory_id)).toEqual([made[4].memory_id]);
    expect((await store().memories.list({ userId: user, topics: ["ODD"], limit: 10, page: 1 })).total).toBe(
      2,
    );
    expect(
      (await store().memories.list({ userId: user, agentId: "agent-x", limit: 10, page: 1 })).total,
    ).toBe(2);
    const found = await store().memories.list({ userId: user, search: "100% oboe", limit: 10, page: 1 });
    expect(found.memories.map((m) => m.memory)).toEqual(["Plays the 100% Oboe"]);
    expect((await store().memories.list({ userId: user, search: "%", limit: 10, page: 1 })).total).toBe(1);
    expect(await store().memories.topics(user)).toEqual(["even", "odd"]);
  });

  it("memories: counts memories per user, latest user first, paged with the number of users", async () => {
    const t0 = Date.now() + 100_000;
    const users = [`s1-${newId()}`, `s2-${newId()}`];
    for (let i = 0; i < 3; i++)
      await store().memories.create(memoryOf({ user_id: users[0], updated_at: t0 + i, created_at: t0 + i }));
    await store().memories.create(memoryOf({ user_id: users[1], updated_at: t0 + 10, created_at: t0 + 10 }));
    const first = await store().memories.userStats({ limit: 1, page: 1 });
    expect(first.total).toBeGreaterThanOrEqual(2);
    expect(first.stats).toEqual([{ user_id: users[1], total_memories: 1, last_memory_updated_at: t0 + 10 }]);
    const second = await store().memories.userStats({ limit: 1, page: 2 });
    expect(second.stats).toEqual([{ user_id: users[0], total_memories: 3, last_memory_updated_at: t0 + 2 }]);
    expect(await store().memories.userStats({ userId: users[0], limit: 10, page: 1 })).toEqual({
      stats: [{ user_id: users[0], total_memories: 3, last_memory_updated_at: t0 + 2 }],
      total: 1,
    });
  });

  it("memories: deletes many at once, only the given user's when one is named", async () => {
    const alice = `alice-${newId()}`;
    const bob = `bob-${newId()}`;
    const a = await store().memories.create(memoryOf({ user_id: alice }));
    const b = await store().memories.create(memoryOf({ user_id: bob }));
    expect(await store().memories.deleteMany([a.memory_id, b.memory_id, "missing"], alice)).toBe(1);
    expect(await store().memories.get(b.memory_id)).toBeDefined();
    expect(await store().memories.deleteMany([b.memory_id])).toBe(1);
    expect(await store().memories.deleteMany([])).toBe(0);
  });

  it("memories: lists a user's session summaries, most recent first", async () => {
    const user = `u-${newId()}`;
    const sids = [newId(), newId(), newId()];
    for (const sid of sids)
      await store().runs.begin(runOf({ session_id: sid, user_id: user }), {
        session_id: sid,
        session_type: "agent",
        component_id: "a",
        user_id: user,
      });
    await store().sessions.update(sids[0], {
      summary: { summary: "first", topics: ["x"], updated_at: 1000 },
    });
    await store().sessions.update(sids[2], { summary: { summary: "third", updated_at: 3000 } });
    const summaries = await store().memories.summaries(user, 10);
    expect(summaries.map((s) => [s.session_id, s.summary])).toEqual([
      [sids[2], "third"],
      [sids[0], "first"],
    ]);
    expect(summaries[1]).toMatchObject({ topics: ["x"], updated_at: 1000 });
  });
}
