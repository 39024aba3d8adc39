/**
 * SSE framing throughput on one core: events framed and written in batches to a socket-like sink.
 * Run: node --import tsx bench/sse-framing.ts
 */
import { Writable } from "node:stream";
import { EventFactory } from "../src/run/index.js";
import type { RunEvent } from "../src/run/index.js";
import { sseFrame } from "../src/server/http/sse.js";

export function measureFraming(
  total = 1_000_000,
  batch = 64,
  frame: (ev: RunEvent) => string = (ev) => sseFrame(ev.event, ev, ev.event_index),
): { eventsPerSecond: number; bytes: number } {
  const f = new EventFactory({
    kind: "agent",
    id: "bench",
    name: "Bench",
    runId: "r".repeat(36),
    sessionId: "s".repeat(36),
  });
  const events: RunEvent[] = [];
  for (let i = 0; i < batch; i++)
    events.push(f.make("RunContent", { content: "token ", content_type: "str" }));
  let bytes = 0;
  const sink = new Writable({
    write(chunk, _enc, cb) {
      bytes += chunk.length;
      cb();
    },
  });
  const t0 = process.hrtime.bigint();
  for (let done = 0; done < total; done += batch) {
    let chunk = "";
    for (const ev of events) chunk += frame(ev);
    sink.write(chunk);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { eventsPerSecond: total / seconds, bytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = measureFraming();
  console.log(`SSE framing: ${Math.round(r.eventsPerSecond).toLocaleString("en")} events/s on one core`);
}
