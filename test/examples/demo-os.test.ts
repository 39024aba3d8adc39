import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseDemoModel } from "../../examples/demo/model.js";
import { createDemoOS } from "../../examples/demo/os.js";
import type { AgentOS } from "../../src/os/index.js";

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
