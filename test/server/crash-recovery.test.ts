import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
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
  } finally {
    b.proc.kill("SIGKILL");
    await b.exited;
  }
});

it("SIGTERM lets a live run finish within the drain time, stores it and exits 0", async () => {
  const file = join(dir, "drain.db");
  const a = await startChildServer("test/fixtures/slow-server.ts", [file], { AGENTOS_DRAIN_SECONDS: "1" });
  const c = await sse(`${a.url}/agents/slow/runs`, {
    method: "POST",
    body: "message=go&stream=true",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  await c.waitFor(3);
  a.proc.kill("SIGTERM");
  expect(await a.exited).toBe(0);
  await c.done;
  // The run is too long for the drain window: it is cancelled, and the stream says so.
  expect(c.events.map((e) => e.event).slice(-2)).toEqual(["RunCancelled", "RunCompleted"]);
});
