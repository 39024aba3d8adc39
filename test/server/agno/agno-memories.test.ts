import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testOS } from "../../helpers/test-os.js";
import type { TestOS } from "../../helpers/test-os.js";
import { TEST_SECRET, bearer, signToken } from "../../helpers/jwt.js";
import { agnoComponents } from "./agno-fixture.js";

let t: TestOS;
beforeAll(async () => {
  t = await testOS(agnoComponents());
});
afterAll(() => t.cleanup());

const call = async (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) => {
  const r = await t.inject({ method, url, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.body ? r.json() : undefined };
};
const create = async (memory: string, user_id: string, topics: string[] = []) =>
  (await call("POST", "/agno/memories", { memory, user_id, topics })).body;

describe("/agno/memories", () => {
  it("creates a UserMemory (200) with Agno's keys; 400 User ID is required; 422 without memory", async () => {
    const { status, body } = await call("POST", "/agno/memories", {
      memory: "Likes green tea",
      user_id: "ada",
      topics: ["Drinks"],
    });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(
      ["agent_id", "memory", "memory_id", "team_id", "topics", "updated_at", "user_id"].sort(),
    );
    expect(body).toMatchObject({
      memory: "Likes green tea",
      user_id: "ada",
      topics: ["drinks"],
      agent_id: null,
    });
    expect(new Date(body.updated_at).toISOString()).toBe(body.updated_at);
    expect(await call("POST", "/agno/memories", { memory: "orphan" })).toEqual({
      status: 400,
      body: { detail: "User ID is required" },
    });
    const missing = await call("POST", "/agno/memories", { user_id: "ada" });
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0]).toEqual({
      type: "missing",
      loc: ["body", "memory"],
      msg: "Field required",
      input: null,
    });
  });

  it("lists with Agno's pagination and filters (user, topics, search_content)", async () => {
    for (let i = 0; i < 3; i++) await create(`fact ${i}`, "lister", i === 1 ? ["special"] : []);
    const page = await call("GET", "/agno/memories?user_id=lister&limit=2");
    expect(page.status).toBe(200);
    expect(page.body.meta).toEqual({
      page: 1,
      limit: 2,
      total_pages: 2,
      total_count: 3,
      search_time_ms: expect.any(Number),
    });
    expect(page.body.data.map((m: { memory: string }) => m.memory)).toEqual(["fact 2", "fact 1"]);
    expect((await call("GET", "/agno/memories?user_id=lister&page=2&limit=2")).body.data).toHaveLength(1);
    expect((await call("GET", "/agno/memories?topics=special")).body.data).toEqual([
      expect.objectContaining({ memory: "fact 1" }),
    ]);
    expect((await call("GET", "/agno/memories?search_content=FACT%200")).body.meta.total_count).toBe(1);
    expect((await call("GET", "/agno/memories?page=0")).status).toBe(422);
  });

  it("gets, patches and deletes one (204); unknown ids 404 Memory not found", async () => {
    const m = await create("Plays chess", "carl");
    expect((await call("GET", `/agno/memories/${m.memory_id}`)).body).toMatchObject({
      memory: "Plays chess",
    });
    const patched = await call("PATCH", `/agno/memories/${m.memory_id}`, {
      memory: "Plays go",
      topics: ["games"],
    });
    expect(patched).toMatchObject({ status: 200, body: { memory: "Plays go", topics: ["games"] } });
    const del = await t.inject({ method: "DELETE", url: `/agno/memories/${m.memory_id}` });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe("");
    expect(await call("GET", `/agno/memories/${m.memory_id}`)).toEqual({
      status: 404,
      body: { detail: "Memory not found" },
    });
    expect((await call("PATCH", "/agno/memories/nope", { memory: "x" })).status).toBe(404);
  });

  it("bulk-deletes (204), lists topics and per-user stats", async () => {
    const a = await create("one", "dora", ["alpha"]);
    const b = await create("two", "dora", ["beta"]);
    expect(await call("GET", "/agno/memory_topics?user_id=dora")).toEqual({
      status: 200,
      body: ["alpha", "beta"],
    });
    const stats = await call("GET", "/agno/user_memory_stats?user_id=dora");
    expect(stats.body).toEqual({
      data: [{ user_id: "dora", total_memories: 2, last_memory_updated_at: expect.any(String) }],
      meta: { page: 1, limit: 20, total_pages: 1, total_count: 1, search_time_ms: expect.any(Number) },
    });
    const all = await call("GET", "/agno/user_memory_stats?limit=100");
    expect(all.body.meta.total_count).toBeGreaterThanOrEqual(3);
    const del = await t.inject({
      method: "DELETE",
      url: "/agno/memories",
      payload: { memory_ids: [a.memory_id, b.memory_id, "unknown"] },
    });
    expect(del.statusCode).toBe(204);
    expect((await call("GET", "/agno/memories?user_id=dora")).body.meta.total_count).toBe(0);
  });
});

describe("/agno memories with JWT auth", () => {
  it("needs memories scopes and keeps a non-admin to their own memories", async () => {
    const secured = await testOS({ ...agnoComponents(), auth: { jwt: { verificationKey: TEST_SECRET } } });
    try {
      const admin = bearer(await signToken(TEST_SECRET, { sub: "root", scopes: ["agent_os:admin"] }));
      const eve = bearer(
        await signToken(TEST_SECRET, { sub: "eve", scopes: ["memories:read", "memories:write"] }),
      );
      const reader = bearer(await signToken(TEST_SECRET, { sub: "rita", scopes: ["sessions:read"] }));
      await secured.inject({
        method: "POST",
        url: "/agno/memories",
        headers: admin,
        payload: { memory: "secret of someone", user_id: "someone" },
      });
      const own = await secured.inject({
        method: "POST",
        url: "/agno/memories",
        headers: eve,
        payload: { memory: "mine", user_id: "someone" },
      });
      expect(own.json().user_id).toBe("eve");
      const listed = await secured.inject({ method: "GET", url: "/agno/memories", headers: eve });
      expect(listed.json().data.map((m: { memory: string }) => m.memory)).toEqual(["mine"]);
      const stats = await secured.inject({ method: "GET", url: "/agno/user_memory_stats", headers: eve });
      expect(stats.json().data.map((s: { user_id: string }) => s.user_id)).toEqual(["eve"]);
      const refused = await secured.inject({ method: "GET", url: "/agno/memories", headers: reader });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({
        detail: "Insufficient permissions. Required scope(s): memories:read",
      });
      expect((await secured.inject({ method: "GET", url: "/agno/memories" })).statusCode).toBe(401);
    } finally {
      await secured.cleanup();
    }
  });
});
