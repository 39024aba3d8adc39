import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseDemoModel } from "../../examples/demo/model.js";
import { createDemoOS } from "../../examples/demo/os.js";
import type { AgentOS } from "../../src/os/index.js";

const ROOT = new URL("../../", import.meta.url).pathname;

describe("the demo OS (npm start) with the offline model", () => {
  const dir = mkdtempSync(join(tmpdir(), "agentos-demo-"));
  let os: AgentOS;
  beforeAll(async () => {
    ({ os } = createDemoOS({
      env: { AGENTOS_DEMO_MODEL_DELAY_MS: "0", AGENTOS_DB_FILE: join(dir, "demo.db") },
      logger: pino({ level: "silent" }),
    }));
    await os.start();
  });
  afterAll(async () => {
    await os.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers arithmetic through the calculator tool", async () => {
    const app = await os.app();
    const r = await app.inject({
      method: "POST",
      url: "/agents/assistant/runs",
      payload: "message=" + encodeURIComponent("what is 12 * (3 + 4)?"),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const body = r.json();
    expect(body.status).toBe("COMPLETED");
    expect(body.tools[0]).toMatchObject({
      tool_name: "calculator",
      tool_args: { expression: "12 * (3 + 4)" },
    });
    expect(body.content).toContain("84");
  });

  it("tells the time through the clock tool and remembers the conversation", async () => {
    const app = await os.app();
    const first = (
      await app.inject({
        method: "POST",
        url: "/agents/assistant/runs",
        payload: { message: "what time is it?" },
      })
    ).json();
    expect(first.tools.map((t: { tool_name: string }) => t.tool_name)).toEqual(["current_time"]);
    expect(first.content).toMatch(/\d{4}-\d\d-\d\dT/);
    const second = (
      await app.inject({
        method: "POST",
        url: "/agents/assistant/runs",
        payload: { message: "thanks, and who are you?", session_id: first.session_id },
      })
    ).json();
    expect(second.content).toMatch(/offline demo model/i);
  });
});

describe("the demo's knowledge and memory", () => {
  const dir = mkdtempSync(join(tmpdir(), "agentos-demo-kb-"));
  let os: AgentOS;
  beforeAll(async () => {
    ({ os } = createDemoOS({
      env: { AGENTOS_DEMO_MODEL_DELAY_MS: "0", AGENTOS_DB_FILE: join(dir, "demo.db") },
      logger: pino({ level: "silent" }),
    }));
    await os.start();
    await os.ingestionSettled();
  });
  afterAll(async () => {
    await os.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads the README and docs/*.md into the 'docs' knowledge base at startup, searchable offline", async () => {
    const app = await os.app();
    const [docs] = (await app.inject({ url: "/knowledge" })).json().knowledge_instances;
    const files = 1 + readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).length;
    expect(docs).toMatchObject({ id: "docs", document_count: files });
    const listed = (await app.inject({ url: "/knowledge/docs/content?limit=100" })).json();
    expect(listed.data.map((c: { name: string }) => c.name)).toContain("README.md");
    const search = (
      await app.inject({
        method: "POST",
        url: "/knowledge/docs/search",
        payload: { query: "group commit savepoint", search_type: "keyword", limit: 1 },
      })
    ).json();
    expect(search.results[0].name).toBe("docs/storage.md");
  });

  it("answers questions about AgentOS from the docs through search_knowledge", async () => {
    const app = await os.app();
    const run = (
      await app.inject({
        method: "POST",
        url: "/agents/assistant/runs",
        payload: { message: "How does AgentOS recover runs after a crash?" },
      })
    ).json();
    expect(run.tools.map((t: { tool_name: string }) => t.tool_name)).toEqual(["search_knowledge"]);
    expect(run.content).toMatch(/^From the knowledge base \(docs\//);
    expect(run.references[0].references.length).toBeGreaterThan(0);
  });

  it("remembers what a user says about themselves and summarises the session", async () => {
    const app = await os.app();
    const run = (
      await app.inject({
        method: "POST",
        url: "/agents/assistant/runs",
        payload: { message: "Hi, my name is Ada and I like chess", user_id: "ada" },
      })
    ).json();
    expect(run.status).toBe("COMPLETED");
    const memory = (await app.inject({ url: "/memory?user_id=ada" })).json();
    expect(memory.memories.map((m: { memory: string }) => m.memory).sort()).toEqual([
      "The user likes chess.",
      "The user's name is Ada.",
    ]);
    expect(memory.summaries).toEqual([
      expect.objectContaining({
        session_id: run.session_id,
        summary: expect.stringContaining("my name is Ada"),
      }),
    ]);
    const session = (await app.inject({ url: `/sessions/${run.session_id}` })).json();
    expect(session.memory.summary).toContain("my name is Ada");
  });
});

describe("choosing the demo's model", () => {
  it("prefers AGENTOS_MODEL, then OpenAI, then Anthropic keys, else the offline model", () => {
    expect(chooseDemoModel({ AGENTOS_MODEL: "ollama:llama3.2" }).model.provider).toMatch(/^ollama/);
    expect(chooseDemoModel({ OPENAI_API_KEY: "k" }).model.provider).toMatch(/^openai/);
    expect(chooseDemoModel({ ANTHROPIC_API_KEY: "k" }).model.provider).toMatch(/^anthropic/);
    const offline = chooseDemoModel({});
    expect(offline.offline).toBe(true);
    expect(offline.model.provider).toBe("offline");
    expect(() => chooseDemoModel({ AGENTOS_DEMO_MODEL_DELAY_MS: "soon" })).toThrow(
      /AGENTOS_DEMO_MODEL_DELAY_MS/,
    );
  });
});
