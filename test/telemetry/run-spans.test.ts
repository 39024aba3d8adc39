import { SpanStatusCode } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/run/index.js";
import type { ObservedRun } from "../../src/runtime/index.js";
import { RunSpans } from "../../src/telemetry/tracing/run-spans.js";
import { RunTracer } from "../../src/telemetry/tracing/run-tracer.js";
import { StoreSpanProcessor } from "../../src/telemetry/tracing/store-span-processor.js";
import { TimeOrderedIdGenerator } from "../../src/telemetry/tracing/time-ordered-ids.js";
import { slimEvent } from "../../src/telemetry/tracing/tracing-thread-protocol.js";
import { tempSqlite } from "../helpers/temp-store.js";

/** Keeps what it is handed, as an exporter would. */
class Kept implements SpanProcessor {
  readonly spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

const resource = resourceFromAttributes({ "service.name": "test" });
const run: ObservedRun = {
  runId: "r1",
  sessionId: "s1",
  userId: "ann",
  kind: "agent",
  componentId: "a",
  componentName: "A",
  continued: false,
};
let index = 0;
const ev = (event: string, extra: Record<string, unknown> = {}) =>
  ({
    event,
    run_id: "r1",
    session_id: "s1",
    agent_id: "a",
    agent_name: "A",
    created_at: 0,
    event_index: index++,
    nested_depth: 0,
    ...extra,
  }) as unknown as RunEvent;

describe("run spans", () => {
  it("made on the tracing thread from slimmed events are the spans the events themselves make", () => {
    const events = [
      ev("TeamRunStarted", { team_id: "t", team_name: "T", model: "m", model_provider: "p" }),
      ev("TeamToolCallStarted", {
        team_id: "t",
        tool: {
          tool_name: "delegate_task_to_member",
          tool_call_id: "c1",
          tool_args: { task: "x".repeat(500) },
        },
      }),
      ev("RunStarted", {
        run_id: "r2",
        parent_run_id: "r1",
        model: "m",
        model_provider: "p",
        content: "big",
      }),
      ev("ModelRequestStarted", { run_id: "r2", model: "m", model_provider: "p", messages: ["long"] }),
      ev("ModelRequestCompleted", {
        run_id: "r2",
        model: "m",
        input_tokens: 5,
        output_tokens: 2,
        cache_read_tokens: 1,
        time_to_first_token: 0.25,
        content: "answer",
      }),
      ev("ToolCallStarted", { run_id: "r2", tool: { tool_name: "fetch", tool_call_id: "c2" } }),
      ev("ToolCallError", {
        run_id: "r2",
        error: "timeout",
        tool: { tool_name: "fetch", tool_call_id: "c2", tool_call_error: true, result: "partial" },
      }),
      ev("MemoryUpdateStarted", { run_id: "r2" }),
      ev("MemoryUpdateCompleted", { run_id: "r2", memories: [{ memory: "m1" }, { memory: "m2" }] }),
      ev("RunError", { run_id: "r2", content: "member failed", error_type: "ToolError" }),
      ev("TeamToolCallCompleted", {
        team_id: "t",
        tool: { tool_name: "delegate_task_to_member", tool_call_id: "c1", child_run_id: "r2", result: "ok" },
      }),
      ev("TeamRunCompleted", {
        team_id: "t",
        content: "done",
        metrics: { input_tokens: 9, output_tokens: 4, time: 1 },
      }),
    ];
    const made = (slim: boolean) => {
      const kept = new Kept();
      const tracer = new RunTracer(resource, { name: "agentos" }, [kept]);
      const spans = new RunSpans(tracer, { ...run, kind: "team", componentId: "t" }, () => {}, 1_000);
      events.forEach((e, i) => spans.event(slim ? slimEvent(e) : e, 1_001 + i));
      spans.end({ status: "COMPLETED", error: null }, 2_000);
      spans.build();
      const names = new Map(kept.spans.map((s) => [s.spanContext().spanId, s.name]));
      return kept.spans.map((s) => ({
        name: s.name,
        parent: s.parentSpanContext && names.get(s.parentSpanContext.spanId),
        attributes: s.attributes,
        status: s.status,
        startTime: s.startTime,
        endTime: s.endTime,
      }));
    };
    const full = made(false);
    expect(full.map((s) => s.name)).toEqual([
      "chat m",
      "execute_tool fetch",
      "memory.update",
      "agent.run A",
      "execute_tool delegate_task_to_member",
      "team.run A",
    ]);
    expect(made(true)).toEqual(full);
    // What the spans do not use stays behind: tool arguments, messages, a completed run's answer.
    const sent = JSON.stringify(events.map(slimEvent));
    for (const left of ["xxxxx", "long", '"answer"', '"done"', '"big"']) expect(sent).not.toContain(left);
  });

  it("are built later, in batches: finished spans leave while the run goes on; times are the events' own", async () => {
    const kept = new Kept();
    const tracer = new RunTracer(resource, { name: "agentos" }, [kept]);
    const scheduled: RunSpans[] = [];
    const spans = new RunSpans(tracer, run, (s) => scheduled.push(s));

    spans.event(ev("RunStarted", { model: "m", model_provider: "p" }));
    spans.event(ev("RunContent", { content: "not traced" }));
    spans.event(ev("ModelRequestStarted", { model: "m", model_provider: "p" }));
    const requestedAt = performance.now();
    await new Promise((r) => setTimeout(r, 20));
    spans.event(ev("ModelRequestCompleted", { model: "m", input_tokens: 3, output_tokens: 2 }));
    expect(scheduled).toHaveLength(1); // once until built, however many events
    expect(kept.spans).toEqual([]); // nothing is built while the run goes

    scheduled.shift()!.build();
    expect(kept.spans.map((s) => s.name)).toEqual(["chat m"]);
    const [chat] = kept.spans;
    expect(chat!.duration[0] * 1000 + chat!.duration[1] / 1e6).toBeGreaterThanOrEqual(19);
    const startedMs = chat!.startTime[0] * 1000 + chat!.startTime[1] / 1e6;
    expect(Math.abs(startedMs - (performance.timeOrigin + requestedAt))).toBeLessThan(5);

    spans.event(ev("RunCompleted", { metrics: { input_tokens: 3, output_tokens: 2 } }));
    spans.end(undefined);
    spans.event(ev("RunStarted")); // after the end: ignored
    expect(scheduled).toHaveLength(1);
    scheduled.shift()!.build();
    const root = kept.spans[1]!;
    expect(root.name).toBe("agent.run A");
    expect(root.status.code).toBe(SpanStatusCode.OK);
    expect(chat!.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(chat!.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(root.attributes).toMatchObject({ "agentos.run.status": "COMPLETED", "agentos.user_id": "ann" });
    expect(kept.spans).toHaveLength(2);
  });

  it("a nested run's lookup noted before its RunStarted waits for the run's span; one whose run never started goes under the top", () => {
    const kept = new Kept();
    const tracer = new RunTracer(resource, { name: "agentos" }, [kept]);
    const spans = new RunSpans(tracer, run, (s) => s.build());
    const note = (runId: string, results: number) => {
      const at = performance.now();
      spans.note({ event: "KnowledgeLookup", run_id: runId, started: at - 2, ended: at, results });
    };
    spans.event(ev("RunStarted"));
    note("m1", 2); // the member's lookup, before its RunStarted reached the observer
    note("m2", 0); // a member that failed before it started
    spans.event(ev("RunStarted", { run_id: "m1", parent_run_id: "r1", agent_id: "m", agent_name: "M" }));
    spans.event(ev("RunCompleted", { run_id: "m1", parent_run_id: "r1", agent_id: "m", agent_name: "M" }));
    spans.event(ev("RunCompleted"));
    spans.end(undefined);

    const byName = (n: string) => kept.spans.filter((s) => s.name === n);
    const [member] = byName("agent.run M");
    const [root] = byName("agent.run A");
    const lookups = byName("knowledge.search");
    expect(lookups.map((l) => l.attributes["agentos.knowledge.results"])).toEqual([2, 0]);
    expect(lookups[0]!.parentSpanContext?.spanId).toBe(member!.spanContext().spanId);
    expect(lookups[1]!.parentSpanContext?.spanId).toBe(root!.spanContext().spanId);
    expect(lookups[0]!.duration[0] * 1e3 + lookups[0]!.duration[1] / 1e6).toBeCloseTo(2, 1);
  });

  it("under a caller's parent that is not sampled, nothing is recorded", () => {
    const kept = new Kept();
    const tracer = new RunTracer(resource, { name: "agentos" }, [kept]);
    const traceparent = `00-${"ab".repeat(16)}-${"cd".repeat(8)}-00`;
    const spans = new RunSpans(tracer, { ...run, traceParent: traceparent }, (s) => s.build());
    spans.event(ev("RunStarted"));
    spans.event(ev("RunCompleted"));
    spans.end(undefined);
    expect(kept.spans).toEqual([]);

    const sampled = new RunSpans(tracer, { ...run, traceParent: traceparent.replace(/00$/, "01") }, (s) =>
      s.build(),
    );
    sampled.event(ev("RunCompleted"));
    sampled.end(undefined);
    expect(kept.spans).toHaveLength(1);
    expect(kept.spans[0]!.spanContext().traceId).toBe("ab".repeat(16));
    expect(kept.spans[0]!.parentSpanContext?.spanId).toBe("cd".repeat(8));
  });

  it("a span ignores changes once ended, and its duration spans second boundaries", () => {
    const kept = new Kept();
    const tracer = new RunTracer(resource, { name: "agentos" }, [kept]);
    const span = tracer.startSpan("s", { startTime: 1_700_000_000_999.5, attributes: { a: 1 } });
    span.end(1_700_000_001_000.25);
    span.setAttribute("b", 2).setStatus({ code: SpanStatusCode.ERROR }).end();
    const [done] = kept.spans;
    expect(kept.spans).toHaveLength(1);
    expect(done!.attributes).toEqual({ a: 1 });
    expect(done!.status.code).toBe(SpanStatusCode.UNSET);
    expect(done!.duration).toEqual([0, 750_000]);
  });

  it("trace ids start with the time in milliseconds; span ids are random and never zero", () => {
    const ids = new TimeOrderedIdGenerator();
    const before = Date.now();
    const a = ids.generateTraceId();
    const b = ids.generateTraceId();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(parseInt(a.slice(0, 12), 16)).toBeGreaterThanOrEqual(before);
    expect(parseInt(a.slice(0, 12), 16)).toBeLessThanOrEqual(Date.now());
    expect(a).not.toBe(b);
    const spanIds = new Set(Array.from({ length: 1000 }, () => ids.generateSpanId()));
    expect(spanIds.size).toBe(1000);
    for (const id of spanIds) expect(id).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
  });
});

describe("storing spans", () => {
  it("writes a batch when it is full; beyond the queue's limit drops spans and says how many", async () => {
    const t = await tempSqlite();
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (l: string) => void lines.push(l) });
    try {
      await t.db.migrate();
      const store = new StoreSpanProcessor(
        t.db.traces,
        { delayMs: 60_000, maxBatch: 2, maxQueue: 3 },
        logger,
      );
      const tracer = new RunTracer(resource, { name: "agentos" }, [store]);
      const spans = Array.from({ length: 5 }, (_, i) => tracer.startSpan(`s${i}`));
      for (const s of spans) s.end();
      await store.forceFlush();
      const stored = await t.db.traces.spans(spans.map((s) => s.spanContext().traceId));
      expect(stored.map((s) => s.name).sort()).toEqual(["s0", "s1", "s2"]);
      expect(lines.map((l) => JSON.parse(l) as { dropped?: number }).find((l) => l.dropped)?.dropped).toBe(2);
    } finally {
      await t.cleanup();
    }
  });
});
