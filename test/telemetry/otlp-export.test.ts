import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/index.js";
import { testOS } from "../helpers/test-os.js";

interface Received {
  path: string;
  contentType: string | undefined;
  body: any;
}

/** An OTLP/HTTP receiver on loopback: records every request it gets. */
async function receiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (raw += c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", contentType: req.headers["content-type"], body: JSON.parse(raw) });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe("OTLP/HTTP export", () => {
  it("delivers a run's spans to the receiver OTEL_EXPORTER_OTLP_ENDPOINT names, as well as storing them", async () => {
    const rx = await receiver();
    const t = await testOS({
      agents: [new Agent({ id: "a", name: "A", model: ScriptedModel.reply("hello") })],
      env: {
        AGENTOS_DRAIN_SECONDS: "1",
        OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
        OTEL_SERVICE_NAME: "support-bot",
      },
    });
    try {
      const res = await t.inject({ method: "POST", url: "/agents/a/runs", payload: { message: "hi" } });
      expect(res.statusCode).toBe(200);
      await t.os.tracing.flush();
      expect(rx.received.length).toBeGreaterThan(0);
      expect(rx.received[0]!.path).toBe("/v1/traces");
      expect(rx.received[0]!.contentType).toContain("application/json");
      const spans = rx.received.flatMap((r) =>
        (r.body.resourceSpans as any[]).flatMap((rs) =>
          (rs.scopeSpans as any[]).flatMap((ss) => ss.spans as any[]),
        ),
      );
      const names = spans.map((s) => s.name).sort();
      expect(names).toEqual(["agent.run A", "chat scripted-model"]);
      const stored = (await t.inject({ method: "GET", url: `/traces?run_id=${res.json().run_id}` })).json()
        .traces;
      expect(stored).toHaveLength(1);
      const root = spans.find((s) => s.name === "agent.run A");
      expect(root.traceId).toBe(stored[0].trace_id);
      const runIdAttr = (root.attributes as any[]).find((a) => a.key === "agentos.run_id");
      expect(runIdAttr.value.stringValue).toBe(res.json().run_id);
      const scope = rx.received[0]!.body.resourceSpans[0].scopeSpans[0].scope;
      expect(scope.name).toBe("agentos");
      const resource = (rx.received[0]!.body.resourceSpans[0].resource.attributes as any[]).map((a) => [
        a.key,
        a.value.stringValue,
      ]);
      expect(resource).toContainEqual(["service.name", "support-bot"]);
    } finally {
      await t.cleanup();
      await rx.close();
    }
  });

  it("a receiver that is down costs nothing but a warning: runs and stored traces go on", async () => {
    const rx = await receiver();
    await rx.close(); // nothing listens on its port now
    const t = await testOS({
      agents: [new Agent({ id: "a", name: "A", model: ScriptedModel.reply("hello") })],
      env: { AGENTOS_DRAIN_SECONDS: "1", OTEL_EXPORTER_OTLP_ENDPOINT: rx.url },
      tracing: { otlpTimeoutMs: 500 },
    });
    try {
      const res = await t.inject({ method: "POST", url: "/agents/a/runs", payload: { message: "hi" } });
      expect(res.statusCode).toBe(200);
      await t.os.tracing.flush();
      expect((await t.inject({ method: "GET", url: "/traces" })).json().traces).toHaveLength(1);
    } finally {
      await t.cleanup();
    }
  });
});
