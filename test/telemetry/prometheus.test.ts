import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/index.js";
import { sse } from "../helpers/sse-client.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";
import { wsConnect } from "../helpers/ws-client.js";

/** The value of one series in Prometheus text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("GET /metrics/prometheus", () => {
  let t: TestOS;
  let base: string;
  beforeAll(async () => {
    t = await testOS({
      agents: [
        new Agent({
          id: "fast",
          name: "Fast",
          model: new ScriptedModel({ fallback: [{ text: "ok" }, { usage: { input: 9, output: 2 } }] }),
        }),
        new Agent({
          id: "slow",
          name: "Slow",
          model: new ScriptedModel({ fallback: [{ text: "a" }, { delayMs: 400 }, { text: "b" }] }),
        }),
      ],
    });
    base = await t.listen();
  });
  afterAll(() => t.cleanup());

  const scrape = async () => {
    const res = await fetch(`${base}/metrics/prometheus`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    return res.text();
  };

  it("counts runs by component and status, their durations and tokens, and HTTP requests by route pattern", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${base}/agents/fast/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: "hi" }),
      });
      expect(res.status).toBe(200);
    }
    expect((await fetch(`${base}/agents/nope/runs/x`)).status).toBe(404);
    const text = await scrape();
    expect(
      sample(text, 'agentos_runs_total{component_kind="agent",component_id="fast",status="COMPLETED"}'),
    ).toBe(2);
    expect(
      sample(text, 'agentos_tokens_total{component_kind="agent",component_id="fast",type="input"}'),
    ).toBe(18);
    expect(
      sample(text, 'agentos_tokens_total{component_kind="agent",component_id="fast",type="output"}'),
    ).toBe(4);
    expect(
      sample(text, 'agentos_run_duration_seconds_count{component_kind="agent",component_id="fast"}'),
    ).toBe(2);
    expect(
      sample(
        text,
        'agentos_http_request_duration_seconds_count{method="POST",route="/agents/:agent_id/runs",status="200"}',
      ),
    ).toBe(2);
    expect(
      sample(
        text,
        'agentos_http_request_duration_seconds_count{method="GET",route="/agents/:agent_id/runs/:run_id",status="404"}',
      ),
    ).toBe(1);
    expect(sample(text, "agentos_active_runs")).toBe(0);
  });

  it("shows live runs and open SSE and WebSocket connections while they are open", async () => {
    const stream = await sse(`${base}/agents/slow/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "go", stream: true }),
    });
    const ws = await wsConnect(`${base.replace("http", "ws")}/ws/agents/slow`);
    ws.send({ message: "go" });
    await ws.waitFor((f) => f.event === "RunContent");
    await stream.waitFor(2);
    const during = await scrape();
    expect(sample(during, 'agentos_open_connections{kind="sse"}')).toBe(1);
    expect(sample(during, 'agentos_open_connections{kind="websocket"}')).toBe(1);
    expect(sample(during, "agentos_active_runs")).toBe(2);
    await stream.done;
    await ws.waitFor((f) => f.event === "RunCompleted");
    ws.socket.close();
    await ws.closed;
    await new Promise((r) => setTimeout(r, 50));
    const after = await scrape();
    expect(sample(after, 'agentos_open_connections{kind="sse"}')).toBe(0);
    expect(sample(after, 'agentos_open_connections{kind="websocket"}')).toBe(0);
  });
});
