import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";
import { bearer, tokenAuth } from "../helpers/token-auth.js";

let t: TestOS;
const inject = (opts: InjectOptions) => t.inject(opts);
beforeAll(async () => {
  t = await testOS();
});
afterAll(() => t.cleanup());

const create = async (body: Record<string, unknown>) =>
  (await inject({ method: "POST", url: "/memories", payload: body })).json();

describe("/memories", () => {
  it("creates, reads, updates and deletes a memory in Agno's shape", async () => {
    const m = await create({ memory: "Likes green tea", user_id: "ann", topics: ["Drinks", " tea "] });
    expect(m).toMatchObject({
      memory_id: expect.any(String),
      memory: "Likes green tea",
      topics: ["drinks", "tea"],
      user_id: "ann",
      agent_id: null,
      team_id: null,
    });
    expect(m.updated_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect((await inject({ url: `/memories/${m.memory_id}` })).json()).toEqual(m);
    const patched = await inject({
      method: "PATCH",
      url: `/memories/${m.memory_id}`,
      payload: { memory: "Loves green tea" },
    });
    expect(patched.json()).toMatchObject({ memory: "Loves green tea", topics: ["drinks", "tea"] });
    expect(
      (
        await inject({ method: "PATCH", url: `/memories/${m.memory_id}`, payload: { topics: ["tea"] } })
      ).json().topics,
    ).toEqual(["tea"]);
    expect((await inject({ url: `/memories/${m.memory_id}?user_id=bob` })).statusCode).toBe(404); // not bob's
    expect((await inject({ method: "DELETE", url: `/memories/${m.memory_id}` })).statusCode).toBe(204);
    expect((await inject({ url: `/memories/${m.memory_id}` })).statusCode).toBe(404);
  });

  it("lists with filters (user, topics, text, agent), pages and sorts", async () => {
    for (let i = 0; i < 5; i++)
      await create({ memory: `Fact number ${i}`, user_id: "lister", topics: [i % 2 ? "odd" : "even"] });
    await create({ memory: "Fact of someone else", user_id: "other", topics: ["odd"] });
    const page = (await inject({ url: "/memories?user_id=lister&limit=2&page=1" })).json();
    expect(page.meta).toEqual({ page: 1, limit: 2, total_pages: 3, total_count: 5 });
    expect(page.data.map((m: { memory: string }) => m.memory)).toEqual(["Fact number 4", "Fact number 3"]);
    const oldest = (
      await inject({ url: "/memories?user_id=lister&limit=1&sort_order=asc&sort_by=created_at" })
    ).json();
    expect(oldest.data[0].memory).toBe("Fact number 0");
    expect(
      (await inject({ url: "/memories?user_id=lister&topics=odd,missing" })).json().meta.total_count,
    ).toBe(2);
    expect((await inject({ url: "/memories?topics=odd" })).json().meta.total_count).toBe(3);
    const text = (await inject({ url: "/memories?user_id=lister&search_content=NUMBER%203" })).json();
    expect(text.data.map((m: { memory: string }) => m.memory)).toEqual(["Fact number 3"]);
    expect((await inject({ url: "/memory_topics?user_id=lister" })).json()).toEqual(["even", "odd"]);
  });

  it("deletes in bulk, only the named user's when one is given", async () => {
    const a = await create({ memory: "a", user_id: "bulk-a" });
    const b = await create({ memory: "b", user_id: "bulk-b" });
    const res = await inject({
      method: "DELETE",
      url: "/memories",
      payload: { memory_ids: [a.memory_id, b.memory_id, "missing"], user_id: "bulk-a" },
    });
    expect(res.statusCode).toBe(204);
    expect((await inject({ url: `/memories/${a.memory_id}` })).statusCode).toBe(404);
    expect((await inject({ url: `/memories/${b.memory_id}` })).statusCode).toBe(200);
  });

  it("answers bad input with 400, 404 and 422 and stores nothing", async () => {
    const before = (await inject({ url: "/memories" })).json().meta.total_count;
    const bad: [InjectOptions, number][] = [
      [{ method: "POST", url: "/memories", payload: { memory: "no user" } }, 400],
      [{ method: "POST", url: "/memories", payload: { user_id: "x" } }, 422],
      [{ method: "POST", url: "/memories", payload: { memory: "", user_id: "x" } }, 422],
      [{ method: "POST", url: "/memories", payload: { memory: "x".repeat(5001), user_id: "x" } }, 422],
      [{ method: "POST", url: "/memories", payload: { memory: "x", user_id: "x", topics: "tea" } }, 422],
      [{ method: "PATCH", url: "/memories/missing", payload: { memory: "x" } }, 404],
      [{ method: "PATCH", url: "/memories/missing", payload: {} }, 422],
      [{ method: "DELETE", url: "/memories/missing" }, 404],
      [{ method: "DELETE", url: "/memories", payload: { memory_ids: [] } }, 422],
      [{ url: "/memories/missing" }, 404],
      [{ url: "/memories?limit=0" }, 422],
      [{ url: "/memories?sort_by=memory" }, 422],
      [{ url: "/memory" }, 422],
    ];
    for (const [opts, status] of bad) {
      const res = await inject(opts);
      expect(res.statusCode, `${opts.method ?? "GET"} ${opts.url}: ${res.body}`).toBe(status);
      expect(res.json()).toHaveProperty("detail");
    }
    expect(
      (await inject({ method: "POST", url: "/memories", payload: { memory: "no user" } })).json().detail,
    ).toBe("User ID is required");
    expect((await inject({ url: "/memory" })).json().detail[0]).toMatchObject({
      loc: ["query", "user_id"],
      type: "missing",
    });
    expect((await inject({ url: "/memories" })).json().meta.total_count).toBe(before);
  });
});

describe("/memory", () => {
  it("gives a user's memories, topics and session summaries", async () => {
    const agent = new Agent({
      id: "s",
      name: "S",
      model: new ScriptedModel({
        fallback: (call) =>
          call.responseFormat?.type === "json"
            ? JSON.stringify({ summary: "Chatted.", topics: ["chat"] })
            : "hi",
      }),
      enableSessionSummaries: true,
    });
    const os = await testOS({ agents: [agent] });
    try {
      await os.inject({
        method: "POST",
        url: "/memories",
        payload: { memory: "Plays chess", user_id: "carl", topics: ["games"] },
      });
      const run = (
        await os.inject({
          method: "POST",
          url: "/agents/s/runs",
          payload: { message: "hello", user_id: "carl" },
        })
      ).json();
      const body = (await os.inject({ url: "/memory?user_id=carl" })).json();
      expect(body).toEqual({
        user_id: "carl",
        memories: [
          expect.objectContaining({
            memory: "Plays chess",
            topics: ["games"],
            updated_at: expect.any(String),
          }),
        ],
        topics: ["games"],
        summaries: [
          {
            session_id: run.session_id,
            summary: "Chatted.",
            topics: ["chat"],
            updated_at: expect.stringMatching(/Z$/),
          },
        ],
      });
      expect((await os.inject({ url: "/memory?user_id=nobody" })).json()).toEqual({
        user_id: "nobody",
        memories: [],
        topics: [],
        summaries: [],
      });
    } finally {
      await os.cleanup();
    }
  });
});

describe("memories belong to users", () => {
  it("a non-admin sees and writes only their own memories; another user's is 404", async () => {
    const os = await testOS({
      auth: tokenAuth({
        ann: { userId: "ann", scopes: ["memories:read", "memories:write", "memories:delete"] },
        bob: { userId: "bob", scopes: ["memory:read", "memory:write", "memory:delete"] },
        viewer: { userId: "vic", scopes: ["memories:read"] },
        admin: { admin: true },
      }),
    });
    try {
      const as = (token: string, opts: InjectOptions) =>
        os.inject({ ...opts, headers: { ...opts.headers, ...bearer(token) } });
      const annMemory = (
        await as("ann", { method: "POST", url: "/memories", payload: { memory: "Ann's", user_id: "bob" } })
      ).json();
      expect(annMemory.user_id).toBe("ann"); // the token's subject wins
      const bobMemory = (
        await as("bob", { method: "POST", url: "/memories", payload: { memory: "Bob's", topics: ["b"] } })
      ).json();
      expect(bobMemory.user_id).toBe("bob");

      expect((await as("ann", { url: `/memories/${bobMemory.memory_id}` })).statusCode).toBe(404);
      expect(
        (
          await as("ann", {
            method: "PATCH",
            url: `/memories/${bobMemory.memory_id}`,
            payload: { memory: "x" },
          })
        ).statusCode,
      ).toBe(404);
      expect(
        (await as("ann", { method: "DELETE", url: `/memories/${bobMemory.memory_id}` })).statusCode,
      ).toBe(404);
      await as("ann", { method: "DELETE", url: "/memories", payload: { memory_ids: [bobMemory.memory_id] } });
      expect((await as("bob", { url: `/memories/${bobMemory.memory_id}` })).json().memory).toBe("Bob's");

      const annList = (await as("ann", { url: "/memories?user_id=bob" })).json();
      expect(annList.data.map((m: { memory: string }) => m.memory)).toEqual(["Ann's"]);
      expect((await as("ann", { url: "/memory_topics" })).json()).toEqual([]);
      expect((await as("ann", { url: "/memory?user_id=bob" })).json()).toMatchObject({
        user_id: "ann",
        memories: [{ memory: "Ann's" }],
      });

      expect(
        (await as("viewer", { method: "POST", url: "/memories", payload: { memory: "x" } })).statusCode,
      ).toBe(403);
      expect((await os.inject({ url: "/memories" })).statusCode).toBe(401);
      expect((await as("admin", { url: "/memories" })).json().meta.total_count).toBe(2);
      expect((await as("admin", { url: `/memories/${bobMemory.memory_id}` })).statusCode).toBe(200);
    } finally {
      await os.cleanup();
    }
  });
});
