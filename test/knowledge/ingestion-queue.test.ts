import { expect, it } from "vitest";
import { IngestionQueue } from "../../src/knowledge/index.js";

/** A job that runs until released (or aborted), recording how many jobs ran at once. */
function jobs() {
  let running = 0;
  let peak = 0;
  const release = new Map<string, () => void>();
  const started: string[] = [];
  const make = (id: string) => (signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      started.push(id);
      peak = Math.max(peak, ++running);
      const done = () => {
        running--;
        resolve();
      };
      release.set(id, done);
      signal.addEventListener("abort", () => {
        running--;
        reject(signal.reason);
      });
    });
  return { make, release, started, peak: () => peak };
}

const tick = () => new Promise((r) => setImmediate(r));

it("runs at most `concurrency` jobs at once, in order, and reports idle", async () => {
  const q = new IngestionQueue({ concurrency: 2 });
  const j = jobs();
  for (const id of ["a", "b", "c", "d"]) q.push(id, j.make(id));
  await tick();
  expect(j.started).toEqual(["a", "b"]);
  j.release.get("a")!();
  await tick();
  expect(j.started).toEqual(["a", "b", "c"]);
  for (const id of ["b", "c"]) j.release.get(id)!();
  await tick();
  j.release.get("d")!();
  await q.idle();
  expect(j.peak()).toBe(2);
  expect(q.size).toBe(0);
});

it("a failing job does not stop the others", async () => {
  const q = new IngestionQueue({ concurrency: 1 });
  const done: string[] = [];
  q.push("bad", async () => {
    throw new Error("boom");
  });
  q.push("good", async () => {
    done.push("good");
  });
  await q.idle();
  expect(done).toEqual(["good"]);
});

it("cancels a waiting job (never started) or a running one (aborted)", async () => {
  const q = new IngestionQueue({ concurrency: 1 });
  const j = jobs();
  let reason: unknown;
  q.push("running", (signal) =>
    j
      .make("running")(signal)
      .catch((err) => (reason = err)),
  );
  q.push("waiting", j.make("waiting"));
  await tick();
  q.cancel("waiting");
  q.cancel("running", "the content was deleted");
  await q.idle();
  expect(j.started).toEqual(["running"]);
  expect((reason as Error).message).toBe("the content was deleted");
});

it("close drops waiting jobs (telling them), lets running ones finish within the grace, then aborts them", async () => {
  const q = new IngestionQueue({ concurrency: 1 });
  const j = jobs();
  const dropped: string[] = [];
  let aborted = false;
  q.push("slow", (signal) =>
    j
      .make("slow")(signal)
      .catch(() => (aborted = true)),
  );
  q.push("queued", j.make("queued"), async () => {
    dropped.push("queued");
  });
  await tick();
  const started = Date.now();
  await q.close(100);
  expect(dropped).toEqual(["queued"]);
  expect(aborted).toBe(true);
  expect(Date.now() - started).toBeLessThan(2000);
  q.push("late", j.make("late"), async () => {
    dropped.push("late");
  });
  await tick();
  expect(dropped).toEqual(["queued", "late"]);
  expect(j.started).toEqual(["slow"]);
});
