/**
 * Constructing an agent with one tool: median time per construction and heap retained per agent.
 * Run: node --expose-gc --import tsx bench/agent-construction.ts
 */
import { z } from "zod";
import { Agent } from "../src/agent/index.js";
import { tool } from "../src/tool/index.js";

const getWeather = tool({
  name: "get_weather",
  description: "The weather in a city",
  input: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny in ${city}`,
});

function gc() {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error("run with node --expose-gc");
  g();
  g();
}

export function measureConstruction(): { medianUs: number; p95Us: number; retainedBytes: number } {
  // Timing: batches of 1,000, as a single construction is below the timer's resolution.
  const batch = 1000;
  const samples: number[] = [];
  const sink: Agent[] = new Array(batch);
  for (let round = 0; round < 10; round++)
    for (let i = 0; i < batch; i++)
      sink[i] = new Agent({ name: "Weather", model: "openai:gpt-4o", tools: [getWeather] });
  for (let round = 0; round < 300; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++)
      sink[i] = new Agent({ name: "Weather", model: "openai:gpt-4o", tools: [getWeather] });
    samples.push(Number(process.hrtime.bigint() - t0) / 1000 / batch);
  }
  samples.sort((a, b) => a - b);

  // Memory: heap growth while 100,000 agents are kept alive, per agent.
  const n = 100_000;
  const keep: Agent[] = new Array(n);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++)
    keep[i] = new Agent({ name: "Weather", model: "openai:gpt-4o", tools: [getWeather] });
  gc();
  const after = process.memoryUsage().heapUsed;
  if (keep.length !== n) throw new Error("unreachable");
  return {
    medianUs: samples[samples.length >> 1],
    p95Us: samples[Math.floor(samples.length * 0.95)],
    retainedBytes: (after - before) / n,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = measureConstruction();
  console.log(
    `agent construction: median ${r.medianUs.toFixed(3)} µs, p95 ${r.p95Us.toFixed(3)} µs, retained ${(r.retainedBytes / 1024).toFixed(3)} KiB per agent`,
  );
}
