import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { heapAfterGc, openHandles } from "../helpers/gc.js";
import { sse } from "../helpers/sse-client.js";
import type { SseEvent } from "../helpers/sse-client.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

const steps = (n: number, ms: number) =>
  Array.from({ length: n }, (_, i) => [{ text: `w${i} ` }, { delayMs: ms }]).flat();
const BURST = 10_000;
const FLOOD = 60_000;

let t: TestOS;
let base: string;
beforeAll(async () => {
  t = await testOS({
    agents: [
      new Agent({ id: "words", name: "Words", model: new ScriptedModel({ fallback: steps(40, 15) }) }),
      new Agent({ id: "brief", name: "Brief", model: new ScriptedModel({ fallback: steps(4, 150) }) }),
      new Agent({
        id: "burst",
        name: "Burst",
        model: new ScriptedModel({ fallback: [{ text: "x".repeat(BURST), chunks: BURST }] }),
      }),
      new Agent({
        id: "flood",
        name: "Flood",
        // 60,000 events (about 15 MB of SSE), as fast as the loop can make them.
        model: new ScriptedModel({ fallback: [{ text: "y".repeat(FLOOD), chunks: FLOOD }] }),
      }),
    ],
    eventBufferSize: 1000,
  });
  base = await t.listen();
});
afterAll(() => t.cleanup());

const start = (agent: string, fields: Record<string, string> = {}) =>
  sse(`${base}/agents/${agent}/runs`, {
    method: "POST",
    body: new URLSearchParams({ message: "go", stream: "true", ...fields }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
const ids = (events: SseEvent[]) => events.map((e) => Number(e.id));
const sequence = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe("disconnects", () => {
  it("a client that drops after N events and reattaches with its last id gets every later event once, in order", async () => {
    for (const n of [1, 7, 25]) {
      const first = await start("words");
      await first.waitFor(n);
      first.close();
      const got = first.events.slice(0, n);
      const runId = got[0].data.run_id;
      const again = await sse(`${base}/agents/words/runs/${runId}/events`, {
        headers: { "last-event-id": got.at(-1)!.id! },
      });
      await again.done;
      const all = [...got, ...again.events];
      expect(ids(all)).toEqual(sequence(0, all.length));
      expect(all.at(-1)!.event).toBe("RunCompleted");
      // The same as a full replay after the end.
      const replay = await sse(`${base}/agents/words/runs/${runId}/events`);
      await replay.done;
      expect(replay.events.map((e) => e.data)).toEqual(all.map((e) => e.data));
      // A client that already has the terminal event gets nothing more, live run or stored one.
      while (t.os.runs.get(runId)) await new Promise((r) => setTimeout(r, 5));
      const nothing = await sse(`${base}/agents/words/runs/${runId}/events`, {
        headers: { "last-event-id": all.at(-1)!.id! },
      });
      await nothing.done;
      expect(nothing.events).toEqual([]);
    }
  });

  it("reattaches through another server on the same database (the run is not live there): no gap, no repeat", async () => {
    const other = await testOS(
      { agents: [new Agent({ id: "words", name: "Words", model: ScriptedModel.reply("-") })] },
      t.db.file,
    );
    try {
      const otherBase = await other.listen();
      const first = await start("words");
      await first.waitFor(5);
      first.close();
      const runId = first.events[0].data.run_id;
      const again = await sse(`${otherBase}/agents/words/runs/${runId}/events?last_event_index=4`);
      await again.done;
      const all = [...first.events.slice(0, 5), ...again.events];
      expect(ids(all)).toEqual(sequence(0, all.length));
      expect(all.at(-1)!.data).toMatchObject({ event: "RunCompleted" });
      expect(all.at(-1)!.data.content).toMatch(/^w0 w1 .* w39 $/);
    } finally {
      await other.cleanup();
    }
  });

  it("on_disconnect=cancel cancels the run when the client leaves; the default lets it complete", async () => {
    const leaving = await start("words", { on_disconnect: "cancel" });
    await leaving.waitFor(3);
    const cancelled = leaving.events[0].data.run_id;
    leaving.close();
    const staying = await start("words");
    await staying.waitFor(3);
    const kept = staying.events[0].data.run_id;
    staying.close();
    expect((await t.os.runs.get(cancelled)?.output)?.status ?? (await t.db.runs.get(cancelled))?.status).toBe(
      "CANCELLED",
    );
    expect((await t.os.runs.get(kept)?.output)?.status ?? (await t.db.runs.get(kept))?.status).toBe(
      "COMPLETED",
    );
  });
});

describe("slow consumers and bursts", () => {
  it("10,000 tokens in one burst keep event ids unique and increasing, live and replayed", async () => {
    const c = await start("burst");
    await c.done;
    const contents = c.events.filter((e) => e.event === "RunContent");
    expect(contents).toHaveLength(BURST);
    expect(ids(c.events)).toEqual(sequence(0, c.events.length));
    for (const e of c.events) expect(e.data.event_index).toBe(Number(e.id));
    expect(c.events.at(-1)!.data.content).toBe("x".repeat(BURST));
    const replay = await sse(`${base}/agents/burst/runs/${c.events[0].data.run_id}/events`);
    await replay.done;
    expect(ids(replay.events)).toEqual(ids(c.events));
  });

  it(
    "a consumer that never reads blocks neither the run nor other readers, and memory stays bounded",
    { timeout: 60_000 },
    async () => {
      // The stuck reader: connects, gets its headers, then never reads again.
      let runId = "";
      const stuck = http.request(`${base}/agents/flood/runs`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      const headers = new Promise<http.IncomingMessage>((r) => stuck.on("response", r));
      stuck.end("message=go&stream=true");
      const res = await headers;
      let text = "";
      await new Promise<void>((resolve) =>
        res.on("data", (d: Buffer) => {
          text += d.toString();
          res.pause();
          resolve();
        }),
      );
      runId = JSON.parse(
        text
          .split("\n")
          .find((l) => l.startsWith("data: "))!
          .slice(6),
      ).run_id;
      const baseline = await heapAfterGc();

      // Another reader attached to the same run reads everything while the stuck one holds on.
      const reader = await sse(`${base}/agents/flood/runs/${runId}/events`);
      const live = t.os.runs.get(runId)!;
      const out = await live.output;
      expect(out.status).toBe("COMPLETED");
      await reader.done;
      // Once its events are stored, the run leaves the manager; the stuck reader still holds it.
      while (t.os.runs.get(runId)) await new Promise((r) => setTimeout(r, 10));
      expect(reader.events.filter((e) => e.event === "RunContent")).toHaveLength(FLOOD);
      const total = reader.events.length;
      expect(ids(reader.events)).toEqual(sequence(0, total));
      reader.events.length = 0;
      // 15 MB of frames went by; the stuck reader holds at most a batch of them, and the run its bounded buffer.
      expect(live.buffer.size).toBeLessThanOrEqual(live.buffer.capacity);
      const grown = (await heapAfterGc()) - baseline;
      expect(grown).toBeLessThan(6 * 1024 * 1024);

      // When it reads again it gets everything, in order: what left memory comes from the store.
      res.removeAllListeners("data");
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.resume();
      await new Promise((r) => res.on("end", r));
      const got = text
        .split("\n")
        .filter((l) => l.startsWith("id: "))
        .map((l) => Number(l.slice(4)));
      expect(got).toEqual(sequence(0, total));
    },
  );

  it(
    "1,000 abandoned SSE clients: heap and open handles return to their baseline",
    { timeout: 60_000 },
    async () => {
      const warm = await start("brief");
      await warm.done;
      const heapBefore = await heapAfterGc();
      const handlesBefore = openHandles();

      // Connected in waves, so that the listen backlog is not what the test measures.
      const open = async (n: number, connect: () => ReturnType<typeof sse>) => {
        const out: Awaited<ReturnType<typeof sse>>[] = [];
        for (let wave = 0; wave < n / 100; wave++) {
          const batch = await Promise.all(Array.from({ length: 100 }, connect));
          await Promise.all(batch.map((c) => c.waitFor(1)));
          out.push(...batch);
        }
        return out;
      };
      const clients = await open(1000, () =>
        sse(`${base}/agents/brief/runs`, {
          method: "POST",
          body: "message=go&stream=true",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          agent: false,
        }),
      );
      // And more that reattach to one run, then leave while it is quiet.
      const quiet = clients.at(-1)!.events[0].data.run_id;
      const watchers = await open(300, () =>
        sse(`${base}/agents/brief/runs/${quiet}/events`, { agent: false }),
      );
      for (const c of [...clients, ...watchers]) c.close();
      // The test's own client objects must not count.
      clients.length = 0;
      watchers.length = 0;

      for (let i = 0; i < 400 && t.os.runs.size > 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(t.os.runs.size).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
      const heapAfter = await heapAfterGc();
      expect(heapAfter - heapBefore).toBeLessThan(8 * 1024 * 1024);
      expect(openHandles()).toBeLessThanOrEqual(handlesBefore + 2);
    },
  );
});
