import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { SqliteDb } from "../../src/storage/index.js";
import { startChildServer } from "../helpers/child-server.js";
import { sse } from "../helpers/sse-client.js";

const dir = mkdtempSync(join(tmpdir(), "agentos-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("a run killed with the server (kill -9) is ERROR after a restart, and its reattach ends with RunError", async () => {
  const file = join(dir, "agentos.db");
  const a = await startChildServer("test/fixtures/slow-server.ts", [file]);
  const c = await sse(`${a.url}/agents/slow/runs`, {
    method: "POST",
    body: "message=go&stream=true",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  await c.waitFor(8);
  // Let the event log flush at least once (every 100 ms) so the restart has something to replay.
  await new Promise((r) => setTimeout(r, 300));
  const runId = c.events[0].data.run_id;
  a.proc.kill("SIGKILL");
  expect(await a.exited).toBe("SIGKILL");
  await c.done;

  const b = await startChildServer("test/fixtures/slow-server.ts", [file]);
  try {
    const run = (await (await fetch(`${b.url}/agents/slow/runs/${runId}`)).json()) as {
      status: string;
      error: string;
    };
    expect(run.status).toBe("ERROR");
    expect(run.error).toBe("interrupted by restart");
    const replay = await sse(`${b.url}/agents/slow/runs/${runId}/events`);
    await replay.done;
    expect(replay.events[0].event).toBe("RunStarted");
    expect(replay.events.at(-1)).toMatchObject({
      event: "RunError",
      data: { content: "interrupted by restart" },
    });
    expect(replay.events.map((e) => Number(e.id))).toEqual(replay.events.map((_, i) => i));
    // Every later replay ends the same way, and a client that has the end gets nothing more.
    const again = await sse(`${b.url}/agents/slow/runs/${runId}/events`);
    await again.done;
    expect(again.events.map((e) => e.data)).toEqual(replay.events.map((e) => e.data));
    const after = await sse(`${b.url}/agents/slow/runs/${runId}/events`, {
      headers: { "last-event-id": replay.events.at(-1)!.id! },
    });
    await after.done;
    expect(after.events).toEqual([]);
  } finally {
    b.proc.kill("SIGKILL");
    await b.exited;
  }
});

it("SIGTERM: new runs get 503 while live ones drain; a run that fits the window completes, the rest are cancelled; all stored; exit 0", async () => {
  const file = join(dir, "drain.db");
  const a = await startChildServer("test/fixtures/slow-server.ts", [file], { AGENTOS_DRAIN_SECONDS: "3" });
  const stream = (agent: string) =>
    sse(`${a.url}/agents/${agent}/runs`, {
      method: "POST",
      body: "message=go&stream=true",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  const slow = await stream("slow");
  const quick = await stream("quick");
  await Promise.all([slow.waitFor(3), quick.waitFor(3)]);
  a.proc.kill("SIGTERM");

  // Until the signal is handled a request may still be taken; from then on every new run is refused.
  let refused: Response | undefined;
  for (let i = 0; i < 100 && !refused; i++) {
    const r = await fetch(`${a.url}/agents/quick/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "late", background: true }),
    });
    if (r.status === 503) refused = r;
    else await new Promise((res) => setTimeout(res, 20));
  }
  expect(refused?.status).toBe(503);
  expect(await refused!.json()).toEqual({ detail: "The server is shutting down and accepts no new runs" });
  // Reads still work while it drains.
  const slowId = slow.events[0].data.run_id;
  expect((await fetch(`${a.url}/agents/slow/runs/${slowId}`)).status).toBe(200);

  expect(await a.exited).toBe(0);
  await Promise.all([slow.done, quick.done]);
  expect(quick.events.at(-1)!.event).toBe("RunCompleted");
  expect(slow.events.map((e) => e.event).slice(-2)).toEqual(["RunCancelled", "RunCompleted"]);

  // Everything was stored before the process exited.
  const db = new SqliteDb({ file });
  try {
    const quickRun = await db.runs.get(quick.events[0].data.run_id);
    const slowRun = await db.runs.get(slowId);
    expect(quickRun).toMatchObject({ status: "COMPLETED", content: quick.events.at(-1)!.data.content });
    expect(slowRun).toMatchObject({ status: "CANCELLED", error: "The server is shutting down" });
    for (const c of [quick, slow]) {
      const events = await db.events.list(c.events[0].data.run_id, -1);
      expect(events.map((e) => e.event_index)).toEqual(c.events.map((e) => Number(e.id)));
    }
  } finally {
    await db.close();
  }
});
