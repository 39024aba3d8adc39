import { expect, it } from "vitest";
import { newId } from "../../src/ids.js";
import type { SpanRecord, SpanRow, Store, TraceRecord } from "../../src/storage/index.js";

const hex = (n: number) => newId().replace(/-/g, "").padEnd(n, "0").slice(0, n);

function traceOf(over: Partial<TraceRecord> & { start_time: number }): TraceRecord {
  return {
    trace_id: hex(32),
    name: "agent.run a",
    status: "OK",
    end_time: over.start_time + 1000,
    run_id: newId(),
    session_id: newId(),
    component_kind: "agent",
    agent_id: "a",
    team_id: null,
    workflow_id: null,
    user_id: null,
    ...over,
  };
}

function spanOf(trace: TraceRecord, over: Partial<SpanRecord> = {}): SpanRecord {
  return {
    trace_id: trace.trace_id,
    span_id: hex(16),
    parent_span_id: null,
    name: trace.name,
    kind: "INTERNAL",
    start_time: trace.start_time,
    end_time: trace.end_time,
    status: trace.status,
    status_message: null,
    attributes: { "agentos.run_id": trace.run_id, n: 1, ok: true },
    ...over,
  };
}

/** Spans as they are written: attributes as JSON text. */
const rows = (spans: SpanRecord[]): SpanRow[] =>
  spans.map((s) => ({ ...s, attributes: JSON.stringify(s.attributes) }));

/** The TraceStore part of the Store contract. */
export function traceStoreContract(store: () => Store) {
  it("traces: stores spans and traces in batches, repeats ignored; lists newest first with filters and a cursor", async () => {
    const s = store();
    const user = `u-${newId()}`;
    const base = Date.UTC(2030, 0, 1) * 1000;
    const traces = [0, 1, 2].map((i) =>
      traceOf({ start_time: base + i * 1000, user_id: user, status: i === 1 ? "ERROR" : "OK" }),
    );
    const root = spanOf(traces[0]);
    const child = spanOf(traces[0], {
      parent_span_id: root.span_id,
      name: "chat m",
      kind: "CLIENT",
      start_time: base + 10,
    });
    const spans = [root, child, spanOf(traces[1]), spanOf(traces[2])];
    await s.traces.write({ traces, spans: rows(spans) });
    await s.traces.write({ traces: [traces[0]], spans: rows([root]) }); // a retried batch

    const got = await s.traces.get(traces[0].trace_id);
    expect(got).toEqual(traces[0]);
    const stored = await s.traces.spans([traces[0].trace_id]);
    expect(stored).toEqual([root, child]);

    const page1 = await s.traces.list({ userId: user, limit: 2 });
    expect(page1.traces.map((t) => t.trace_id)).toEqual([traces[2].trace_id, traces[1].trace_id]);
    const page2 = await s.traces.list({ userId: user, limit: 2, cursor: page1.nextCursor! });
    expect(page2.traces.map((t) => t.trace_id)).toEqual([traces[0].trace_id]);
    expect(page2.nextCursor).toBeNull();
    expect((await s.traces.list({ userId: user, status: "ERROR", limit: 10 })).traces).toEqual([traces[1]]);
    expect((await s.traces.list({ runId: traces[2].run_id!, limit: 10 })).traces).toEqual([traces[2]]);
    expect((await s.traces.list({ sessionId: traces[0].session_id!, limit: 10 })).traces).toHaveLength(1);
    expect((await s.traces.list({ userId: user, agentId: "other", limit: 10 })).traces).toEqual([]);
    await expect(s.traces.list({ limit: 1, cursor: "not-a-cursor" })).rejects.toMatchObject({ status: 400 });
    expect(await s.traces.get("0".repeat(32))).toBeUndefined();
  });

  it("traces: a batch larger than one statement is stored whole, column for column", async () => {
    const s = store();
    const base = Date.UTC(2030, 1, 1) * 1000;
    const traces = Array.from({ length: 230 }, (_, i) => traceOf({ start_time: base + i, user_id: `u${i}` }));
    const spans = traces.flatMap((t, i) => [
      spanOf(t, { status_message: i % 2 ? `failed ${i}` : null }),
      spanOf(t, { parent_span_id: `${i}`.padStart(16, "0"), kind: "CLIENT", attributes: { i } }),
    ]);
    await s.traces.write({ traces, spans: rows(spans) });
    await s.traces.write({ traces, spans: rows(spans) }); // repeats across every chunk are ignored

    for (const i of [0, 199, 200, 229]) expect(await s.traces.get(traces[i]!.trace_id)).toEqual(traces[i]);
    const stored = await s.traces.spans(traces.map((t) => t.trace_id));
    expect(stored).toHaveLength(460);
    const byId = new Map(stored.map((sp) => [sp.span_id, sp]));
    for (const sp of spans) expect(byId.get(sp.span_id)).toEqual(sp);
  });

  it("traces: spans written before or after their trace stand alone, and every span reads back once", async () => {
    const s = store();
    const base = Date.UTC(2030, 2, 1) * 1000;
    const trace = traceOf({ start_time: base });
    const root = spanOf(trace);
    const early = spanOf(trace, { parent_span_id: root.span_id, name: "chat m", start_time: base + 5 });
    const late = spanOf(trace, {
      parent_span_id: root.span_id,
      name: 'memory "update"',
      start_time: base + 2000,
      end_time: base + 3000,
      status: "ERROR",
      status_message: 'failed: "quota"\n',
      attributes: { "agentos.memory.count": 0, list: ["a", "b"] },
    });
    await s.traces.write({ traces: [], spans: rows([early]) }); // a batch that ends before the root
    await s.traces.write({ traces: [trace], spans: rows([root, early]) }); // the root's, with a retried span
    await s.traces.write({ traces: [], spans: rows([late]) }); // a span that ends after the root
    expect(await s.traces.spans([trace.trace_id])).toEqual([root, early, late]);
    expect(await s.traces.get(trace.trace_id)).toEqual(trace);

    // Many standalone spans (their traces still running) cross statement chunks too.
    const running = Array.from({ length: 210 }, (_, i) => traceOf({ start_time: base + 10_000 + i }));
    const pending = running.flatMap((t) => [
      spanOf(t),
      spanOf(t, { kind: "CLIENT", start_time: t.start_time + 1 }),
    ]);
    await s.traces.write({ traces: [], spans: rows(pending) });
    expect(await s.traces.spans(running.map((t) => t.trace_id))).toEqual(pending);
  });

  it("traces: retention deletes old traces with their spans, and old orphan spans, in batches; new ones stay", async () => {
    const s = store();
    const user = `u-${newId()}`;
    const cutoff = Date.UTC(2000, 5, 1) * 1000;
    const old = [0, 1, 2, 3, 4].map((i) => traceOf({ start_time: cutoff - 10_000_000 + i, user_id: user }));
    const fresh = traceOf({ start_time: cutoff + 5, user_id: user });
    const orphan = traceOf({ start_time: cutoff - 50, user_id: user });
    await s.traces.write({
      traces: [...old, fresh],
      spans: rows([...old, fresh, orphan].map((t) => spanOf(t))),
    });
    const gone = await s.traces.prune(cutoff, 2);
    expect(gone).toBeGreaterThanOrEqual(5);
    expect((await s.traces.list({ userId: user, limit: 10 })).traces).toEqual([fresh]);
    const left = await s.traces.spans([...old, fresh, orphan].map((t) => t.trace_id));
    expect(left.map((x) => x.trace_id)).toEqual([fresh.trace_id]);
  });
}
