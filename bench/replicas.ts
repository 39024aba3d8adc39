/**
 * Non-streamed runs per second (instant scripted model, 50 connections in all) on SQLite versus
 * PostgreSQL with one replica, and with one, two and three replicas sharing PostgreSQL and Redis.
 * The load generator (autocannon) runs in this process, on the same cores as the replicas.
 * Needs the PostgreSQL and Redis of the machine: AGENTOS_BENCH_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/test; a fresh database is made and dropped) and
 * AGENTOS_BENCH_REDIS_URL (default redis://127.0.0.1:6379).
 * Run: node --import tsx bench/replicas.ts [seconds]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { startChildServer } from "../test/helpers/child-server.js";
import type { ChildServer } from "../test/helpers/child-server.js";
import { freshPgDatabase } from "../test/helpers/services.js";

const CONNECTIONS = 50;

export interface ReplicaFigure {
  setup: string;
  runsPerSecond: number;
  errors: number;
}

/** Loads every replica at once, the connections split between them; returns the summed rate. */
async function load(servers: ChildServer[], seconds: number): Promise<{ rps: number; errors: number }> {
  const each = Math.ceil(CONNECTIONS / servers.length);
  const fire = (duration: number) =>
    Promise.all(
      servers.map((s) =>
        autocannon({
          url: `${s.url}/agents/bench/runs`,
          method: "POST",
          connections: each,
          duration,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ message: "hello", stream: false }),
        }),
      ),
    );
  await fire(1); // warm up
  const results = await fire(seconds);
  return {
    rps: results.reduce((sum, r) => sum + r.requests.average, 0),
    errors: results.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
  };
}

async function withServers<T>(
  n: number,
  args: string[],
  env: Record<string, string>,
  fn: (s: ChildServer[]) => Promise<T>,
) {
  const servers: ChildServer[] = [];
  try {
    // One at a time: the first migrates, the others find the schema in place.
    for (let i = 0; i < n; i++) servers.push(await startChildServer("bench/replica-server.ts", args, env));
    return await fn(servers);
  } finally {
    for (const s of servers) s.proc.kill("SIGKILL");
    await Promise.all(servers.map((s) => s.exited));
  }
}

export async function measureReplicas(seconds = 5): Promise<ReplicaFigure[]> {
  const pgBase = process.env.AGENTOS_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const redis = process.env.AGENTOS_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
  const figures: ReplicaFigure[] = [];
  const record = (setup: string, r: { rps: number; errors: number }) =>
    figures.push({ setup, runsPerSecond: r.rps, errors: r.errors });

  const dir = mkdtempSync(join(tmpdir(), "agentos-bench-replicas-"));
  try {
    record("SQLite, 1 process", await withServers(1, [join(dir, "bench.db")], {}, (s) => load(s, seconds)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const plain = await freshPgDatabase(pgBase);
  try {
    record(
      "PostgreSQL, 1 process (no Redis)",
      await withServers(1, [], { AGENTOS_DB_URL: plain.url }, (s) => load(s, seconds)),
    );
  } finally {
    await plain.drop();
  }
  for (const n of [1, 2, 3]) {
    const db = await freshPgDatabase(pgBase);
    try {
      const env = { AGENTOS_DB_URL: db.url, AGENTOS_REDIS_URL: redis };
      record(
        `PostgreSQL + Redis, ${n} replica${n > 1 ? "s" : ""}`,
        await withServers(n, [], env, (s) => load(s, seconds)),
      );
    } finally {
      await db.drop();
    }
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.argv[2] ?? 5);
  for (const f of await measureReplicas(seconds))
    console.log(
      `${f.setup.padEnd(36)} ${String(Math.round(f.runsPerSecond)).padStart(6)} runs/s  errors ${f.errors}`,
    );
}
