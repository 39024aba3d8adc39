import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoOS } from "../../examples/demo/os.js";
import type { AgentOS } from "../../src/os/index.js";
import { SqliteDb } from "../../src/storage/index.js";
import { sse } from "../helpers/sse-client.js";

let os: AgentOS;
let base: string;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "agentos-demo-"));
  ({ os } = createDemoOS({
    env: { AGENTOS_DEMO_MODEL_DELAY_MS: "0", AGENTOS_DRAIN_SECONDS: "1" },
    db: new SqliteDb({ file: join(dir, "demo.db") }),
    logger: pino({ level: "silent" }),
  }));
  await os.start();
  base = await (await os.app()).listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await os.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = async (path: string, body: Record<string, unknown>) => {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe("the demo OS with the offline demo model", () => {
  it("serves the research team and the content workflow", async () => {
    const teams = (await (await fetch(`${base}/teams`)).json()) as any;
    expect(teams.teams).toEqual([
      expect.objectContaining({
        id: "research-team",
        mode: "coordinate",
        members: [
          { id: "researcher", name: "Researcher", type: "agent" },
          { id: "analyst", name: "Analyst", type: "agent" },
        ],
      }),
    ]);
    const workflows = (await (await fetch(`${base}/workflows`)).json()) as any;
    expect(workflows.workflows[0].steps).toEqual([
      { name: "research", type: "agent", agent: "researcher" },
      { name: "write", type: "agent", agent: "writer" },
      { name: "format", type: "function", function: "formatArticle" },
    ]);
  });

  it("the research team delegates facts to the researcher and arithmetic to the analyst", async () => {
    const { status, body } = await post("/teams/research-team/runs", {
      message: "How tall is the Eiffel Tower, and what is 330 * 3?",
    });
    expect(status).toBe(200);
    expect(body.status).toBe("COMPLETED");
    const byMember = Object.fromEntries(
      body.member_responses.map((m: { agent_id: string; content: string }) => [m.agent_id, m.content]),
    );
    expect(byMember.researcher).toContain("330 metres tall");
    expect(byMember.analyst).toBe("330 * 3 = 990.");
    expect(body.content).toContain("researcher:");
    expect(body.content).toContain("analyst: 330 * 3 = 990.");
    expect(body.member_responses[0].tools[0]).toMatchObject({ tool_name: "lookup_fact" });
  });

  it("the research team streams its members' events over SSE", async () => {
    const c = await sse(`${base}/teams/research-team/runs`, {
      method: "POST",
      body: JSON.stringify({ message: "How far away is the Moon?", stream: true }),
      headers: { "content-type": "application/json" },
    });
    await c.done;
    const names = c.events.map((e) => e.event);
    expect(names[0]).toBe("TeamRunStarted");
    expect(names.at(-1)).toBe("TeamRunCompleted");
    const researcherTool = c.events.find(
      (e) => e.event === "ToolCallCompleted" && e.data.agent_id === "researcher",
    );
    expect(researcherTool!.data.content).toContain("384,400 km");
    expect(c.events.at(-1)!.data.content).toContain("384,400 km");
  });

  it("the order workflow takes typed JSON input and refuses input that does not match (422)", async () => {
    const input = { items: [{ name: "tea", price: 4.5, qty: 2 }], country: "FR" };
    const ok = await post("/workflows/order/runs", { message: "order", input });
    expect(ok.body).toMatchObject({
      status: "COMPLETED",
      content: "Ship 1 item(s) by post within France; paid 9",
    });
    const bad = await post("/workflows/order/runs", {
      message: "order",
      input: { ...input, country: "France" },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(["body", "input", "country"]);
  });

  it("the content workflow researches, writes and formats with a word count", async () => {
    const { body } = await post("/workflows/content-workflow/runs", { message: "Mount Everest" });
    expect(body.status).toBe("COMPLETED");
    expect(
      body.step_results.map((s: { step_name: string; success: boolean }) => [s.step_name, s.success]),
    ).toEqual([
      ["research", true],
      ["write", true],
      ["format", true],
    ]);
    expect(body.step_results[0].content).toContain("8,849 metres");
    const writer = body.step_results[1].content as string;
    expect(body.content).toMatch(/^# Mount Everest\n\n/);
    expect(body.content).toContain(writer);
    const words = writer.split(/\s+/).filter(Boolean).length;
    expect(body.content.endsWith(`(${words} words)`)).toBe(true);
    const c = await sse(`${base}/workflows/content-workflow/runs`, {
      method: "POST",
      body: JSON.stringify({ message: "Mars", stream: true }),
      headers: { "content-type": "application/json" },
    });
    await c.done;
    const names = c.events.map((e) => e.event);
    expect(names[0]).toBe("WorkflowStarted");
    expect(names.at(-1)).toBe("WorkflowCompleted");
    expect(c.events.filter((e) => e.event === "RunContent" && e.data.step_name === "format")).toHaveLength(3);
  });
});
