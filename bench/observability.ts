/**
 * Observability costs: CPU per run in process and run throughput over HTTP, tracing on versus off
 * (SQLite; the instant model, then a provider's real adapter; alternating to even out drift), and
 * GET /metrics latency over 100,000 stored runs (SQLite, and PostgreSQL when AGENTOS_TEST_PG_URL is set).
 * Run: node --import tsx bench/observability.ts
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import autocannon from "autocannon";
import { sql } from "kysely";
import pino from "pino";
import { Agent } from "../src/agent/index.js";
import { ScriptedModel } from "../src/model/scripted-model.js";
import { AgentOS } from "../src/os/index.js";
import type { Store } from "../src/storage/index.js";
import { LazyStore, PostgresDb, SqliteDb } from "../src/storage/index.js";
import { fillRollups } from "../src/storage/sql/index.js";
import type { SqlStore } from "../src/storage/sql/index.js";
import { startChildServer } from "../test/helpers/child-server.js";
import { freshPgDatabase } from "../test/helpers/services.js";
import { median } from "./median.js";
import { mainThreadCpuUs, processCpuUs } from "./thread-cpu.js";
import { measureTracingParts } from "./tracing-parts.js";

const execFileAsync = promisify(execFile);

export interface TracingCost {
  /** Runs per second, median of the rounds. */
  on: number;
  off: number;
  /** (off - on) / off, in percent. */
  costPercent: number;
  /** The server's CPU per run (all its threads; Linux only, else NaN), median of the rounds. */
  onCpuUs: number;
  offCpuUs: number;
  /** The same for its main thread alone, the one that serves requests. */
  onMainCpuUs: number;
  offMainCpuUs: number;
  errors: number;
}

/** The environment that points bench-server and tracing-cpu-child at bench/fake-openai.ts. */
function providerEnv(url: string): Record<string, string> {
  return { BENCH_MODEL: "openai:gpt-4o-mini", OPENAI_BASE_URL: `${url}/v1`, OPENAI_API_KEY: "sk-bench" };
}

export interface TracingCostOptions {
  rounds?: number;
  seconds?: number;
  connections?: number;
  /**
   * The agent calls a provider through its real adapter (OpenAI's Responses API, answered at once
   * by bench/fake-openai.ts in its own process) instead of the in-process instant model: what a
   * run costs the server in production, model latency aside.
   */
  provider?: boolean;
}

/** Non-stream runs per second (and server CPU per run) with tracing on and off, in alternating rounds. */
export async function measureTracingCost(options: TracingCostOptions = {}): Promise<TracingCost> {
  const { rounds = 6, seconds = 6, connections = 50, provider = false } = options;
  const dir = mkdtempSync(join(tmpdir(), "agentos-bench-"));
  const fake = provider ? await startChildServer("bench/fake-openai.ts", []) : undefined;
  const model = fake ? providerEnv(fake.url) : {};
  const servers = {
    on: await startChildServer("bench/bench-server.ts", [join(dir, "on.db")], {
      ...model,
      AGENTOS_TRACING: "true",
    }),
    off: await startChildServer("bench/bench-server.ts", [join(dir, "off.db")], {
      ...model,
      AGENTOS_TRACING: "false",
    }),
  };
  const load = (url: string, duration: number) =>
    autocannon({
      url: `${url}/agents/bench/runs`,
      method: "POST",
      connections,
      duration,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "hello" }),
    });
  try {
    await load(servers.on.url, 2);
    await load(servers.off.url, 2);
    const rps = { on: [] as number[], off: [] as number[] };
    const cpu = { on: [] as number[], off: [] as number[] };
    const mainCpu = { on: [] as number[], off: [] as number[] };
    let errors = 0;
    for (let r = 0; r < rounds; r++)
      for (const mode of r % 2 ? (["on", "off"] as const) : (["off", "on"] as const)) {
        const pid = servers[mode].proc.pid!;
        const before = processCpuUs(pid);
        const beforeMain = mainThreadCpuUs(pid);
        const res = await load(servers[mode].url, seconds);
        await new Promise((done) => setTimeout(done, 500)); // spans and events still being stored
        rps[mode].push(res.requests.average);
        cpu[mode].push((processCpuUs(pid) - before) / res.requests.total);
        mainCpu[mode].push((mainThreadCpuUs(pid) - beforeMain) / res.requests.total);
        errors += res.errors + res.non2xx;
      }
    const on = median(rps.on);
    const off = median(rps.off);
    return {
      on,
      off,
      costPercent: ((off - on) / off) * 100,
      onCpuUs: median(cpu.on),
      offCpuUs: median(cpu.off),
      onMainCpuUs: median(mainCpu.on),
      offMainCpuUs: median(mainCpu.off),
      errors,
    };
  } finally {
    for (const s of [...Object.values(servers), ...(fake ? [fake] : [])]) {
      s.proc.kill("SIGKILL");
      await s.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TracingCpuOptions {
  /** Processes per mode, alternating which goes first. */
  pairs?: number;
  /** Runs each process measures, after 3,000 to warm up. */
  runs?: number;
  /** As in TracingCostOptions. */
  provider?: boolean;
}

export interface TracingCpu {
  /** CPU microseconds per run (user + system, all threads), tracing on and off: medians. */
  onUs: number;
  offUs: number;
  /** Median of the pairs' own ratios, in percent: CPU, and wall time per run (in-process throughput). */
  costPercent: number;
  wallCostPercent: number;
  /** The same for the CPU of the main thread alone, the one that serves requests (Linux only, else NaN). */
  mainOnUs: number;
  mainOffUs: number;
  mainCostPercent: number;
}

/**
 * CPU time per run in process, tracing on versus off: no load generator shares the figure (as it
 * does over HTTP), though it still moves with the machine's speed. Each measure is its own process
 * (bench/tracing-cpu-child.ts), so one mode's garbage, heap growth and compiled code never land on
 * the other; pairs alternate which mode goes first. Runs go through the RunManager (store, events, observers), 50 at a time; the
 * tracing side includes storing its spans.
 */
export async function measureTracingCpu(options: TracingCpuOptions = {}): Promise<TracingCpu> {
  const { pairs = 5, runs = 10_000, provider = false } = options;
  const fake = provider ? await startChildServer("bench/fake-openai.ts", []) : undefined;
  const env = { ...process.env, ...(fake ? providerEnv(fake.url) : {}) };
  const measure = async (mode: "on" | "off") => {
    const { stdout } = await execFileAsync(
      process.execPath,
      ["--import", "tsx", "bench/tracing-cpu-child.ts", mode, String(runs)],
      { maxBuffer: 1 << 20, env, cwd: fileURLToPath(new URL("..", import.meta.url)) },
    );
    return JSON.parse(stdout.trim().split("\n").pop()!) as ChildMeasure;
  };
  const on: ChildMeasure[] = [];
  const off: ChildMeasure[] = [];
  try {
    for (let p = 0; p < pairs; p++)
      for (const mode of p % 2 ? (["on", "off"] as const) : (["off", "on"] as const))
        (mode === "on" ? on : off).push(await measure(mode));
  } finally {
    fake?.proc.kill("SIGKILL");
    await fake?.exited;
  }
  const ratio = (pick: (m: ChildMeasure) => number) =>
    median(on.map((m, p) => ((pick(m) - pick(off[p]!)) / pick(off[p]!)) * 100));
  return {
    onUs: median(on.map((m) => m.cpuUs)),
    offUs: median(off.map((m) => m.cpuUs)),
    costPercent: ratio((m) => m.cpuUs),
    wallCostPercent: ratio((m) => m.wallUs),
    mainOnUs: median(on.map((m) => m.mainCpuUs)),
    mainOffUs: median(off.map((m) => m.mainCpuUs)),
    mainCostPercent: ratio((m) => m.mainCpuUs),
  };
}

/** What bench/tracing-cpu-child.ts prints: microseconds per run. */
interface ChildMeasure {
  cpuUs: number;
  mainCpuUs: number;
  wallUs: number;
}

const DAY_MS = 86_400_000;

/** Stores `count` runs over the last 30 days: 5 agents, 2 teams with members, 1% errors, 1% cancelled. */
async function seedRuns(store: Store, count: number): Promise<void> {
  const impl = store instanceof LazyStore ? await store.impl() : store;
  const k = (impl as SqlStore).kysely;
  const now = Date.now();
  const sessions = Array.from({ length: 200 }, (_, i) => ({
    session_id: `bench-s${i}`,
    session_type: "agent",
    component_id: `agent-${i % 5}`,
    agent_id: `agent-${i % 5}`,
    team_id: null,
    workflow_id: null,
    user_id: `user-${i % 50}`,
    session_name: null,
    session_state: null,
    metadata: null,
    summary: null,
    message_count: 0,
    run_count: 0,
    created_at: now - 30 * DAY_MS,
    updated_at: now,
  }));
  await k.insertInto("sessions").values(sessions).execute();
  const batch = 500;
  for (let start = 0; start < count; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const team = i % 10 === 0;
      const status = i % 100 === 7 ? "ERROR" : i % 100 === 13 ? "CANCELLED" : "COMPLETED";
      rows.push({
        run_id: `bench-r${i}`,
        session_id: `bench-s${i % 200}`,
        parent_run_id: i % 10 === 1 ? `bench-r${i - 1}` : null,
        component_kind: team ? "team" : "agent",
        component_id: team ? `team-${i % 2}` : `agent-${i % 5}`,
        user_id: `user-${i % 50}`,
        status,
        data: "{}",
        error: status === "ERROR" ? "boom" : null,
        model: "bench",
        input_tokens: 100 + (i % 37),
        output_tokens: 20 + (i % 11),
        total_tokens: 120 + (i % 37) + (i % 11),
        duration_ms: 50 + ((i * 7919) % 2000),
        ttft_ms: 5 + ((i * 104729) % 300),
        created_at: now - Math.floor((i / count) * 30 * DAY_MS),
        updated_at: now,
      });
    }
    await k.insertInto("runs").values(rows).execute();
  }
  // Bulk-loaded rows bypass the run store's writes: count them into the roll-ups as the migration does.
  await fillRollups(k);
  // What autovacuum does to an insert-heavy table in PostgreSQL (13+): index-only scans need it.
  if (impl.dialect === "postgres") await sql`vacuum analyze runs`.execute(k);
  else await sql`analyze`.execute(k);
}

export interface MetricsLatency {
  backend: string;
  runs: number;
  p50: number;
  p95: number;
  filteredP50: number;
}

/** GET /metrics (last 30 days, all components) and one with an agent filter, timed in process. */
export async function measureMetricsLatency(runs = 100_000, requests = 50): Promise<MetricsLatency[]> {
  const out: MetricsLatency[] = [];
  const dir = mkdtempSync(join(tmpdir(), "agentos-bench-"));
  const backends: { name: string; make: () => Promise<{ store: Store; drop: () => Promise<void> }> }[] = [
    {
      name: "SQLite",
      make: async () => ({ store: new SqliteDb({ file: join(dir, "metrics.db") }), drop: async () => {} }),
    },
  ];
  const pg = process.env.AGENTOS_TEST_PG_URL;
  if (pg)
    backends.push({
      name: "PostgreSQL",
      make: async () => {
        const database = await freshPgDatabase(pg);
        return { store: new PostgresDb({ url: database.url }), drop: () => database.drop() };
      },
    });
  try {
    for (const b of backends) {
      const { store, drop } = await b.make();
      const os = new AgentOS({
        agents: [new Agent({ id: "agent-0", name: "A0", model: ScriptedModel.reply("x") })],
        db: store,
        logger: pino({ level: "warn" }),
        tracing: false,
        env: {},
      });
      try {
        const app = await os.app();
        await seedRuns(store, runs);
        const time = async (url: string) => {
          const samples: number[] = [];
          for (let i = 0; i < requests; i++) {
            const t0 = performance.now();
            const res = await app.inject({ method: "GET", url });
            samples.push(performance.now() - t0);
            if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
          }
          samples.sort((x, y) => x - y);
          return samples;
        };
        const all = await time("/metrics");
        const filtered = await time("/metrics?agent_id=agent-0");
        const at = (s: number[], p: number) => s[Math.ceil((p / 100) * s.length) - 1]!;
        out.push({
          backend: b.name,
          runs,
          p50: at(all, 50),
          p95: at(all, 95),
          filteredP50: at(filtered, 50),
        });
      } finally {
        await os.close();
        await drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const parts = await measureTracingParts();
  console.log(
    `tracing per run, apart from the run: making spans ${parts.makeUs.toFixed(1)} µs, ` +
      `storing them in SQLite ${parts.storeUs.toFixed(1)} µs; the serving thread's part when ` +
      `tracing runs on its own thread ${parts.noteUs.toFixed(1)} µs`,
  );
  for (const provider of [false, true]) {
    const cpu = await measureTracingCpu({ provider });
    console.log(
      `CPU per run (in process, SQLite, ${provider ? "calling a provider" : "instant model"}): tracing on ` +
        `${cpu.onUs.toFixed(0)} µs, off ${cpu.offUs.toFixed(0)} µs, cost ${cpu.costPercent.toFixed(1)}%; ` +
        `main thread ${cpu.mainOnUs.toFixed(0)} vs ${cpu.mainOffUs.toFixed(0)} µs, ${cpu.mainCostPercent.toFixed(1)}%; ` +
        `wall time per run ${cpu.wallCostPercent.toFixed(1)}% apart`,
    );
  }
  const cost = await measureTracingCost();
  console.log(
    `runs over HTTP (50 connections, SQLite): tracing on ${Math.round(cost.on)}/s, off ${Math.round(cost.off)}/s, ` +
      `cost ${cost.costPercent.toFixed(1)}%; server CPU per run on ${cost.onCpuUs.toFixed(0)} µs, ` +
      `off ${cost.offCpuUs.toFixed(0)} µs (main thread ${cost.onMainCpuUs.toFixed(0)} vs ` +
      `${cost.offMainCpuUs.toFixed(0)} µs); errors ${cost.errors}`,
  );
  const real = await measureTracingCost({ provider: true });
  console.log(
    `runs over HTTP calling a provider (OpenAI adapter, loopback): tracing on ${Math.round(real.on)}/s, ` +
      `off ${Math.round(real.off)}/s, cost ${real.costPercent.toFixed(1)}%; server CPU per run ` +
      `on ${real.onCpuUs.toFixed(0)} µs, off ${real.offCpuUs.toFixed(0)} µs (main thread ` +
      `${real.onMainCpuUs.toFixed(0)} vs ${real.offMainCpuUs.toFixed(0)} µs); errors ${real.errors}`,
  );
  for (const m of await measureMetricsLatency())
    console.log(
      `GET /metrics over ${m.runs.toLocaleString("en")} runs (${m.backend}): p50 ${m.p50.toFixed(1)} ms, ` +
        `p95 ${m.p95.toFixed(1)} ms; with agent_id p50 ${m.filteredP50.toFixed(1)} ms`,
    );
}
