import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { WorkerClient } from "../../src/threads/index.js";

/** Doubles `n`; "crash" ends the thread with code 3; "exit" ends it; "stay" is ignored. */
const DOUBLER = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", (m) => {
  if (m.op === "crash") process.exit(3);
  if (m.op === "exit") return parentPort.close();
  if (m.op === "tell") return parentPort.postMessage({ told: m.n });
  if (m.id !== undefined) parentPort.postMessage({ id: m.id, ok: true, value: m.n * 2 });
});`;

describe("WorkerClient", () => {
  it("starts the thread on first use, answers requests, passes other messages on, and closes it", async () => {
    let starts = 0;
    const told: unknown[] = [];
    const client = new WorkerClient(
      () => (starts++, new Worker(DOUBLER, { eval: true })),
      (m) => told.push(m),
    );
    expect(client.running).toBe(false);
    expect(await client.request({ n: 21 })).toBe(42);
    client.post({ op: "tell", n: 1 });
    expect(await client.request({ n: 2 })).toBe(4);
    expect(told).toEqual([{ told: 1 }]);
    await client.close({ op: "exit" });
    expect(client.running).toBe(false);
    expect(starts).toBe(1);
  });

  it("fails the requests pending when the thread dies, and starts a new one for the next", async () => {
    const exits: number[] = [];
    const client = new WorkerClient(
      () => new Worker(DOUBLER, { eval: true }),
      undefined,
      (code) => exits.push(code),
    );
    await expect(client.request({ op: "crash" })).rejects.toThrow("exit code 3");
    expect(exits).toEqual([3]);
    expect(await client.request({ n: 5 })).toBe(10);
    await client.close({ op: "exit" });
  });

  it("terminates a thread that does not end when closed", async () => {
    const exits: number[] = [];
    const client = new WorkerClient(
      () => new Worker(DOUBLER, { eval: true }),
      undefined,
      (code) => exits.push(code),
    );
    expect(await client.request({ n: 1 })).toBe(2);
    await client.close({ op: "stay" }, 200);
    expect(client.running).toBe(false);
    expect(exits).toEqual([1]);
  });
});
