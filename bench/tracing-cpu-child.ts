/**
 * One process's share of measureTracingCpu (bench/observability.ts): runs an instant-model agent
 * through the RunManager, 50 at a time, with tracing on or off as argv[2] says, and prints the CPU
 * (all threads: GC and compiler helpers count; the main thread's alone; the main thread's GC pauses) and wall time per run after a warm-up, as JSON.
 * With BENCH_MODEL set (see bench/bench-server.ts), the agent calls that provider instead.
 * Run: node --import tsx bench/tracing-cpu-child.ts on|off [runs]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import pino from "pino";
import { Agent } from "../src/agent/index.js";
import { ScriptedModel } from "../src/model/scripted-model.js";
import { AgentOS } from "../src/os/index.js";
import { SqliteDb } from "../src/storage/index.js";
import { mainThreadCpuUs } from "./thread-cpu.js";

const tracing = process.argv[2] === "on";
const runs = Number(process.argv[3] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), "agentos-bench-"));
const agent = new Agent({
  id: "bench",
  name: "Bench",
  model: process.env.BENCH_MODEL || ScriptedModel.reply("The quick brown fox."),
});
const os = new AgentOS({
  agents: [agent],
  db: new SqliteDb({ file: join(dir, "bench.db") }),
  logger: pino({ level: "error" }), // stdout is the result
  tracing,
  env: {},
});

async function round(n: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const live = await os.runs.start({ component: agent, input: { message: "hello" } });
      await live.output;
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  await os.runs.drain(60_000); // the runs' events are stored
  await os.tracing.flush(); // and their spans
}

try {
  await os.start();
  await round(3000); // compiled and caches warm
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  gc.observe({ entryTypes: ["gc"] });
  const cpu = process.cpuUsage();
  const main = mainThreadCpuUs();
  const wall = performance.now();
  await round(runs);
  const used = process.cpuUsage(cpu);
  gc.disconnect();
  console.log(
    JSON.stringify({
      cpuUs: (used.user + used.system) / runs,
      mainCpuUs: (mainThreadCpuUs() - main) / runs,
      gcUs: (gcMs * 1000) / runs,
      wallUs: ((performance.now() - wall) * 1000) / runs,
    }),
  );
} finally {
  await os.close();
  rmSync(dir, { recursive: true, force: true });
}
