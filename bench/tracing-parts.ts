/**
 * What tracing itself costs per run, apart from the rest of a run: making an agent run's spans
 * (one model request) from its events, through the real observer, tracer and store processor into
 * rows; then storing those batches in a fresh SQLite database (both are the tracing thread's work
 * with a SQLite file store); then what the serving thread pays for that: noting the same runs'
 * events and sending the notes to a real tracing thread. Short and in one process, so the
 * machine's drift moves it less than the whole-run comparisons in bench/observability.ts.
 * Run: node --import tsx bench/tracing-parts.ts [runs]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { newId } from "../src/ids.js";
import type { RunEvent, RunOutput } from "../src/run/index.js";
import type { ObservedRun, RunWatch } from "../src/runtime/index.js";
import type { SpanRow, TraceRecord } from "../src/storage/index.js";
import { SqliteDb } from "../src/storage/index.js";
import { RunSpans } from "../src/telemetry/tracing/run-spans.js";
import { RunTracer } from "../src/telemetry/tracing/run-tracer.js";
import { SpanBuilder } from "../src/telemetry/tracing/span-builder.js";
import { StoreSpanProcessor } from "../src/telemetry/tracing/store-span-processor.js";
import { TracingThread } from "../src/telemetry/tracing/tracing-thread.js";
import { median } from "./median.js";
import { mainThreadCpuUs } from "./thread-cpu.js";

type Batch = { traces: TraceRecord[]; spans: SpanRow[] };

const RUN: ObservedRun = {
  runId: "",
  sessionId: "",
  userId: null,
  kind: "agent",
  componentId: "bench",
  componentName: "Bench",
  continued: false,
};

export interface TracingParts {
  /** CPU microseconds per run, median of the rounds. */
  makeUs: number;
  storeUs: number;
  /**
   * What the serving thread pays when tracing runs on its own thread (a SQLite file store):
   * noting the events, sending the notes (Linux only, else NaN).
   */
  noteUs: number;
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** The events an agent run with one model request sends its observers (content deltas included). */
function playRun(spans: RunWatch, runId: string, sessionId: string): void {
  const base = {
    run_id: runId,
    session_id: sessionId,
    agent_id: "bench",
    agent_name: "Bench",
    created_at: 1,
  };
  const model = { model: "gpt-4o-mini", model_provider: "openai" };
  const events = [
    { event: "RunStarted", ...base, ...model },
    { event: "ModelRequestStarted", ...base, ...model },
    ...["The quick ", "brown fox ", "jumps over ", "the lazy dog."].map((content) => ({
      event: "RunContent",
      ...base,
      content,
    })),
    {
      event: "ModelRequestCompleted",
      ...base,
      ...model,
      input_tokens: 42,
      output_tokens: 10,
      time_to_first_token: 0.2,
    },
    {
      event: "RunCompleted",
      ...base,
      content: "The quick brown fox",
      metrics: { input_tokens: 42, output_tokens: 10 },
    },
  ];
  for (const ev of events) spans.event(ev as unknown as RunEvent);
  spans.end({ status: "COMPLETED" } as RunOutput);
}

export async function measureTracingParts(runs = 20_000, rounds = 7): Promise<TracingParts> {
  const batches: Batch[] = [];
  const capture = { write: async (b: Batch) => void batches.push(b) };
  const processor = new StoreSpanProcessor(capture, { delayMs: 500, maxBatch: 512, maxQueue: Infinity });
  const tracer = new RunTracer(resourceFromAttributes({ "service.name": "bench" }), { name: "agentos" }, [
    processor,
  ]);
  const builder = new SpanBuilder(100, 256);
  const make: number[] = [];
  for (let r = 0; r < rounds; r++) {
    batches.length = 0;
    const start = cpuUs();
    for (let i = 0; i < runs; i++) {
      const run: ObservedRun = { ...RUN, runId: newId(), sessionId: newId() };
      playRun(new RunSpans(tracer, run, builder.schedule), run.runId, run.sessionId);
      if (i % 50 === 49) await new Promise((done) => setImmediate(done)); // runs interleave with the loop
    }
    builder.build();
    await tracer.forceFlush();
    make.push((cpuUs() - start) / runs);
  }
  // The last round's batches, stored as the processor would: one write per batch.
  const dir = mkdtempSync(join(tmpdir(), "agentos-bench-"));
  const db = new SqliteDb({ file: join(dir, "traces.db") });
  const store: number[] = [];
  try {
    await db.migrate();
    const per = Math.ceil(batches.length / rounds);
    for (let r = 0; r < rounds; r++) {
      const mine = batches.slice(r * per, (r + 1) * per);
      const traces = mine.reduce((n, b) => n + b.traces.length, 0);
      if (!traces) continue;
      const start = cpuUs();
      for (const b of mine) await db.traces.write(b);
      store.push((cpuUs() - start) / traces);
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { makeUs: median(make), storeUs: median(store), noteUs: await measureNoting(runs, rounds) };
}

/** The serving thread's CPU per run with tracing on the tracing thread: the thread makes and stores the spans. */
async function measureNoting(runs: number, rounds: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "agentos-bench-"));
  const db = new SqliteDb({ file: join(dir, "os.db") });
  const note: number[] = [];
  try {
    await db.migrate();
    const thread = new TracingThread({
      settings: { enabled: true },
      version: "bench",
      traceFile: db.traceFile()!,
    });
    for (let r = 0; r < rounds; r++) {
      const start = mainThreadCpuUs();
      for (let i = 0; i < runs; i++) {
        const run = { ...RUN, runId: newId(), sessionId: newId() };
        playRun(thread.runStarted(run), run.runId, run.sessionId);
        if (i % 50 === 49) await new Promise((done) => setImmediate(done));
      }
      note.push((mainThreadCpuUs() - start) / runs);
      await thread.flush(); // the thread keeps up: its backlog never lands on the next round
    }
    await thread.shutdown();
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return median(note);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const parts = await measureTracingParts(Number(process.argv[2] ?? 20_000));
  console.log(
    `tracing per run (agent run, one model request): making spans ${parts.makeUs.toFixed(1)} µs, ` +
      `storing them in SQLite ${parts.storeUs.toFixed(1)} µs; on its own thread, the serving ` +
      `thread's part (noting, sending) ${parts.noteUs.toFixed(1)} µs`,
  );
}
