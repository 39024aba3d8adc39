import { expect, it } from "vitest";
import { abortable } from "../../src/agent/abortable.js";

it("rejects at once for an aborted signal, leaving no unhandled rejection of the abandoned work", async () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", record);
  try {
    const c = new AbortController();
    c.abort(new Error("client left"));
    // The work saw the same signal and fails with its reason, as a model request does.
    const work = Promise.reject<string>(c.signal.reason);
    await expect(abortable(work, c.signal)).rejects.toThrow("client left");
    await new Promise((r) => setTimeout(r, 20));
    expect(unhandled).toEqual([]);
  } finally {
    process.off("unhandledRejection", record);
  }
});

it("rejects when the signal aborts first, and the work's later failure is not unhandled", async () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", record);
  try {
    const c = new AbortController();
    let fail!: (e: Error) => void;
    const work = new Promise<string>((_, reject) => (fail = reject));
    const raced = abortable(work, c.signal);
    c.abort(new Error("cancelled"));
    await expect(raced).rejects.toThrow("cancelled");
    fail(new Error("late failure"));
    await new Promise((r) => setTimeout(r, 20));
    expect(unhandled).toEqual([]);
  } finally {
    process.off("unhandledRejection", record);
  }
});
