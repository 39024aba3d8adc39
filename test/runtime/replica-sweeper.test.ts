import { afterEach, beforeEach, expect, it } from "vitest";
import { newId } from "../../src/ids.js";
import { ReplicaSweeper } from "../../src/runtime/replica-sweeper.js";
import type { SqliteDb } from "../../src/storage/index.js";
import { runOf } from "../storage/store-contract.js";
import { kyselyOf, tempSqlite } from "../helpers/temp-store.js";

let db: SqliteDb;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ db, cleanup } = await tempSqlite());
});
afterEach(() => cleanup());

const begin = async (replicaId: string) => {
  const sid = newId();
  const run = runOf({ session_id: sid });
  await db.runs.begin(run, {
    session_id: sid,
    session_type: "agent",
    component_id: "a",
    user_id: null,
    replica_id: replicaId,
  });
  return run.run_id;
};
const replicas = async () =>
  (await (await kyselyOf(db)).selectFrom("replicas").select("replica_id").execute()).map((r) => r.replica_id);

it("ends the runs of a replica silent past the grace period, and only those", async () => {
  const live = new Set<string>();
  const a = new ReplicaSweeper({ store: db, replicaId: "A", graceMs: 1_000, isLive: (id) => live.has(id) });
  const b = new ReplicaSweeper({ store: db, replicaId: "B", graceMs: 1_000, isLive: () => true });
  const t0 = Date.now();
  await a.tick(t0);
  const ofA = await begin("A");
  live.add(ofA);
  const ofB = await begin("B");
  // Within the grace period nothing happens.
  expect(await b.tick(t0 + 900)).toEqual([]);
  expect((await db.runs.get(ofA))?.status).toBe("RUNNING");
  // A is silent past it: B ends A's run and forgets A; its own run is untouched.
  expect(await b.tick(t0 + 1_100)).toEqual([ofA]);
  expect(await db.runs.get(ofA)).toMatchObject({
    status: "ERROR",
    error: "interrupted: the replica running it stopped",
  });
  expect((await db.runs.get(ofB))?.status).toBe("RUNNING");
  expect(await replicas()).toEqual(["B"]);
  // /metrics counts the swept run as an error (the roll-ups move with the row).
  const report = await db.metrics.aggregate({ fromMs: t0 - 86_400_000, toMs: t0 + 86_400_000 });
  expect(report.totals).toMatchObject({ runs: 2, errors: 1 });
});

it("ends a replica's own runs that are no longer live but stored unfinished (their end was lost)", async () => {
  const live = new Set<string>();
  const a = new ReplicaSweeper({ store: db, replicaId: "A", graceMs: 1_000, isLive: (id) => live.has(id) });
  const running = await begin("A");
  const lost = await begin("A");
  live.add(running);
  expect(await a.tick()).toEqual([lost]);
  expect(await db.runs.get(lost)).toMatchObject({
    status: "ERROR",
    error: "the end of the run could not be stored",
  });
  expect((await db.runs.get(running))?.status).toBe("RUNNING");
  const now = Date.now();
  const report = await db.metrics.aggregate({ fromMs: now - 86_400_000, toMs: now + 86_400_000 });
  expect(report.totals).toMatchObject({ runs: 2, errors: 1 });
});

it("leaves on stop only when none of its runs is stored unfinished", async () => {
  const live = new Set<string>();
  const a = new ReplicaSweeper({ store: db, replicaId: "A", graceMs: 60_000, isLive: (id) => live.has(id) });
  await a.start();
  live.add(await begin("A"));
  await a.stop();
  expect(await replicas()).toEqual(["A"]);
  const b = new ReplicaSweeper({ store: db, replicaId: "B", graceMs: 60_000, isLive: () => false });
  await b.start();
  await b.stop();
  expect(await replicas()).toEqual(["A"]);
});
