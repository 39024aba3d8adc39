/**
 * Server overhead on runs with an instant scripted model and SQLite persistence, over HTTP with
 * 50 connections (autocannon in this process, the server in a child process).
 * Run: node --import tsx bench/http-runs.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { startChildServer } from "../test/helpers/child-server.js";

export async function measureRuns(
  seconds = 10,
  connections = 50,
): Promise<{ nonStream: number; stream: number; errors: number }> {
  const dir = mkdtempSync(join(tmpdir(), "agentos-bench-"));
  const server = await startChildServer("bench/bench-server.ts", [join(dir, "bench.db")]);
  try {
    const run = (stream: boolean) =>
      autocannon({
        url: `${server.url}/agents/bench/runs`,
        method: "POST",
        connections,
        duration: seconds,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: "hello", stream }),
      });
    await autocannon({
      url: `${server.url}/agents/bench/runs`,
      method: "POST",
      connections,
      duration: 2,
      headers: { "content-type": "application/json" },
      body: '{"message":"warm"}',
    });
    const a = await run(false);
    const b = await run(true);
    return {
      nonStream: a.requests.average,
      stream: b.requests.average,
      errors: a.errors + a.non2xx + b.errors + b.non2xx,
    };
  } finally {
    server.proc.kill("SIGKILL");
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureRuns();
  console.log(
    `runs over HTTP (50 connections): non-stream ${Math.round(r.nonStream)}/s, stream ${Math.round(r.stream)}/s, errors ${r.errors}`,
  );
}
