/**
 * The /agno surface against the root one: the same runs (instant scripted model, SQLite) through
 * each surface's route, serializer and SSE framing, over HTTP with 50 connections.
 * Run: node --import tsx bench/agno-runs.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { agnoEvent, agnoFrame } from "../src/server/serializers/agno/index.js";
import { startChildServer } from "../test/helpers/child-server.js";
import { measureFraming } from "./sse-framing.js";

/** Agno's SSE framing (nulls dropped, no event_index) against the root's, events per second on one core. */
export function measureAgnoFraming(): { root: number; agno: number } {
  const root = measureFraming().eventsPerSecond;
  const agno = measureFraming(undefined, undefined, (ev) =>
    agnoFrame(ev.event, agnoEvent(ev, false)),
  ).eventsPerSecond;
  return { root, agno };
}

export interface SurfaceRuns {
  root: { nonStream: number; stream: number };
  agno: { nonStream: number; stream: number };
  errors: number;
}

export async function measureAgnoRuns(seconds = 8, connections = 50): Promise<SurfaceRuns> {
  const dir = mkdtempSync(join(tmpdir(), "agentos-bench-"));
  const server = await startChildServer("bench/bench-server.ts", [join(dir, "bench.db")]);
  let errors = 0;
  // Both surfaces take the same urlencoded form; only the path differs.
  const load = async (prefix: string, stream: boolean, duration = seconds) => {
    const r = await autocannon({
      url: `${server.url}${prefix}/agents/bench/runs`,
      method: "POST",
      connections,
      duration,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `message=hello&stream=${stream}`,
    });
    errors += r.errors + r.non2xx;
    return r.requests.average;
  };
  try {
    await load("", false, 2);
    await load("/agno", false, 2);
    // The database grows as the bench runs, so each surface is measured both early and late (ABBA).
    const pair = async (stream: boolean) => {
      const half = Math.max(1, Math.round(seconds / 2));
      const r1 = await load("", stream, half);
      const a1 = await load("/agno", stream, half);
      const a2 = await load("/agno", stream, half);
      const r2 = await load("", stream, half);
      return { root: (r1 + r2) / 2, agno: (a1 + a2) / 2 };
    };
    const nonStream = await pair(false);
    const streamed = await pair(true);
    const root = { nonStream: nonStream.root, stream: streamed.root };
    const agno = { nonStream: nonStream.agno, stream: streamed.agno };
    return { root, agno, errors };
  } finally {
    server.proc.kill("SIGKILL");
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const framing = measureAgnoFraming();
  console.log(
    `SSE framing on one core: root ${Math.round(framing.root).toLocaleString("en")} events/s, ` +
      `/agno ${Math.round(framing.agno).toLocaleString("en")} events/s`,
  );
  const r = await measureAgnoRuns();
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(
    `runs over HTTP (50 connections, SQLite): ` +
      `non-stream root ${Math.round(r.root.nonStream)}/s, /agno ${Math.round(r.agno.nonStream)}/s (${ratio(r.agno.nonStream, r.root.nonStream)}x); ` +
      `stream root ${Math.round(r.root.stream)}/s, /agno ${Math.round(r.agno.stream)}/s (${ratio(r.agno.stream, r.root.stream)}x); ` +
      `errors ${r.errors}`,
  );
}
