/**
 * `npm run bench`: every benchmark, with design.md's budgets beside the figures.
 * Run on a quiet machine; the HTTP numbers share the machine's cores with the load generator.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { measureAgnoRuns } from "./agno-runs.js";
import { measureRuns } from "./http-runs.js";
import { measureKnowledge } from "./knowledge.js";
import { measureStartup } from "./import-and-start.js";
import { measureFraming } from "./sse-framing.js";
import { measureMetricsLatency, measureTracingCost, measureTracingCpu } from "./observability.js";
import { measureReplicas } from "./replicas.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const rows: [string, string, string][] = [];

// Construction needs --expose-gc, so it runs in its own process.
const construction = execFileSync(
  process.execPath,
  ["--expose-gc", "--import", "tsx", "bench/agent-construction.ts"],
  { cwd: ROOT, encoding: "utf8" },
).trim();
rows.push([
  "agent construction (one tool)",
  construction.replace(/^agent construction: /, ""),
  "≤ 1 µs median, ≤ 0.5 KiB",
]);

const framing = measureFraming();
rows.push([
  "SSE framing",
  `${Math.round(framing.eventsPerSecond).toLocaleString("en")} events/s`,
  "≥ 400,000 events/s per core",
]);

const startup = measureStartup();
rows.push(["import the package", `${startup.importMs.toFixed(0)} ms`, "≤ 250 ms"]);
rows.push(["start the server", `${startup.startMs.toFixed(0)} ms`, "≤ 500 ms"]);

const runs = await measureRuns();
rows.push(["non-stream runs over HTTP (50 conn, SQLite)", `${Math.round(runs.nonStream)}/s`, "≥ 2,500/s"]);
rows.push(["streamed runs over HTTP (50 conn, SQLite)", `${Math.round(runs.stream)}/s`, "≥ 1,500/s"]);
if (runs.errors) rows.push(["HTTP errors", String(runs.errors), "0"]);

const agno = await measureAgnoRuns();
rows.push([
  "/agno vs root, non-stream runs (50 conn, form body)",
  `${Math.round(agno.agno.nonStream)}/s vs ${Math.round(agno.root.nonStream)}/s`,
  "same order as root",
]);
rows.push([
  "/agno vs root, streamed runs (50 conn, form body)",
  `${Math.round(agno.agno.stream)}/s vs ${Math.round(agno.root.stream)}/s`,
  "same order as root",
]);
if (agno.errors) rows.push(["/agno bench HTTP errors", String(agno.errors), "0"]);

const knowledge = await measureKnowledge();
rows.push([
  "knowledge ingestion (read, chunk, embed, store)",
  `${Math.round(knowledge.ingestion.chunksPerSecond)} chunks/s`,
  "—",
]);
for (const { chunks, result } of knowledge.search) {
  const at = `${chunks / 1000}k chunks`;
  rows.push([
    `keyword search, ${at}`,
    `p50 ${result.keyword.p50.toFixed(1)} ms, p95 ${result.keyword.p95.toFixed(1)} ms`,
    "—",
  ]);
  rows.push([
    `vector search (384 dims), ${at}`,
    `p50 ${result.vector.p50.toFixed(1)} ms, p95 ${result.vector.p95.toFixed(1)} ms`,
    "—",
  ]);
}

const cpu = await measureTracingCpu();
rows.push([
  "CPU per run, tracing on vs off (in process)",
  `${cpu.onUs.toFixed(0)} vs ${cpu.offUs.toFixed(0)} µs (${cpu.costPercent.toFixed(1)}%)`,
  "< 5% apart",
]);
const tracing = await measureTracingCost();
rows.push([
  "non-stream runs over HTTP, tracing on vs off",
  `${Math.round(tracing.on)} vs ${Math.round(tracing.off)}/s (${tracing.costPercent.toFixed(1)}%)`,
  "< 5% apart",
]);
const real = await measureTracingCost({ provider: true });
rows.push([
  "the same, calling a provider (OpenAI adapter, loopback)",
  `${Math.round(real.on)} vs ${Math.round(real.off)}/s (${real.costPercent.toFixed(1)}%)`,
  "< 5% apart",
]);
for (const m of await measureMetricsLatency())
  rows.push([
    `GET /metrics, ${m.runs.toLocaleString("en")} runs (${m.backend})`,
    `p50 ${m.p50.toFixed(1)} ms, p95 ${m.p95.toFixed(1)} ms`,
    "well under 100 ms",
  ]);
// Needs the machine's PostgreSQL and Redis (see bench/replicas.ts); skipped with a note without them.
try {
  for (const f of await measureReplicas())
    rows.push([`non-stream runs, ${f.setup} (50 conn)`, `${Math.round(f.runsPerSecond)}/s`, "—"]);
} catch (err) {
  rows.push(["replicas (PostgreSQL + Redis)", `not measured: ${(err as Error).message}`, "—"]);
}

console.log("\n| benchmark | measured | budget |\n|---|---|---|");
for (const [name, value, budget] of rows) console.log(`| ${name} | ${value} | ${budget} |`);
