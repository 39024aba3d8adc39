import { describe, expect, it } from "vitest";
import { readEnvConfig } from "../../src/os/config.js";
import { RetentionSweeper } from "../../src/runtime/index.js";
import type { SpanRow, TraceRecord } from "../../src/storage/index.js";
import { tempSqlite } from "../helpers/temp-store.js";

const DAY_MS = 86_400_000;

function traceAt(id: string, ms: number): { trace: TraceRecord; span: SpanRow } {
  const us = ms * 1000;
  return {
    trace: {
      trace_id: id.padEnd(32, "0"),
      name: "agent.run A",
      status: "OK",
      start_time: us,
      end_time: us + 1000,
      run_id: id,
      session_id: "s",
      component_kind: "agent",
      agent_id: "a",
      team_id: null,
      workflow_id: null,
      user_id: null,
    },
    span: {
      trace_id: id.padEnd(32, "0"),
      span_id: id.padEnd(16, "0"),
      parent_span_id: null,
      name: "agent.run A",
      kind: "INTERNAL",
      start_time: us,
      end_time: us + 1000,
      status: "OK",
      status_message: null,
      attributes: "{}",
    },
  };
}

describe("trace retention", () => {
  it("the sweeper deletes traces older than the retention, with their spans, and keeps newer ones", async () => {
    const t = await tempSqlite();
    try {
      await t.db.migrate();
      const now = Date.now();
      const made = [
        traceAt("a1", now - 31 * DAY_MS),
        traceAt("a2", now - 40 * DAY_MS),
        traceAt("b1", now - 29 * DAY_MS),
      ];
      await t.db.traces.write({ traces: made.map((m) => m.trace), spans: made.map((m) => m.span) });
      const sweeper = new RetentionSweeper({
        store: t.db,
        eventRetentionMs: DAY_MS,
        traceRetentionMs: 30 * DAY_MS,
      });
      expect((await sweeper.sweep(now)).traces).toBe(2);
      const left = await t.db.traces.list({ limit: 10 });
      expect(left.traces.map((x) => x.run_id)).toEqual(["b1"]);
      expect((await t.db.traces.spans(made.map((m) => m.trace.trace_id))).map((s) => s.span_id)).toEqual([
        made[2]!.span.span_id,
      ]);
      expect((await sweeper.sweep(now)).traces).toBe(0);
    } finally {
      await t.cleanup();
    }
  });

  it("AGENTOS_TRACE_RETENTION_DAYS sets the window (default 30); tracing and OTLP come from the environment", () => {
    expect(readEnvConfig({}).traceRetentionDays).toBe(30);
    expect(readEnvConfig({ AGENTOS_TRACE_RETENTION_DAYS: "7" }).traceRetentionDays).toBe(7);
    expect(() => readEnvConfig({ AGENTOS_TRACE_RETENTION_DAYS: "0" })).toThrow(
      /AGENTOS_TRACE_RETENTION_DAYS/,
    );
    expect(readEnvConfig({}).tracing).toBe(true);
    expect(readEnvConfig({}).otlpTracesUrl).toBeUndefined();
    expect(readEnvConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318/" }).otlpTracesUrl).toBe(
      "http://127.0.0.1:4318/v1/traces",
    );
    expect(
      readEnvConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://x:1",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://y:2/t",
      }).otlpTracesUrl,
    ).toBe("http://y:2/t");
  });
});
