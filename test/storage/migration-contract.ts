import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/ids.js";
import type { LazyStore } from "../../src/storage/index.js";
import type { DialectParts, SqlStore } from "../../src/storage/sql/index.js";
import { MIGRATIONS, runMigrations, schemaVersion } from "../../src/storage/sql/index.js";
import { runOf } from "./store-contract.js";

/** The migrations of the release before the replica ownership (migration 30). */
const PREVIOUS = MIGRATIONS.filter((m) => m.version < 30);
const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));
const seed = (session_id: string) => ({
  session_id,
  session_type: "agent" as const,
  component_id: "a",
  user_id: null,
});

/**
 * A database written by the previous version is migrated in place: its data stays readable, and
 * what the new migrations add (replica ownership) works on it. `make` returns an empty, unmigrated store.
 */
export function migrationContract(
  name: string,
  make: () => Promise<{ store: LazyStore; cleanup: () => Promise<void> }>,
) {
  describe(`Migrations from the previous version: ${name}`, () => {
    let store: LazyStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await make());
    });
    afterAll(() => cleanup());

    it("keeps the previous version's data and adds replica ownership", async () => {
      const impl = (await store.impl()) as SqlStore;
      const parts = (impl as unknown as { parts: DialectParts }).parts;
      await runMigrations(impl.kysely, parts, PREVIOUS);
      expect(await schemaVersion(impl.kysely)).toBe(Math.max(...PREVIOUS.map((m) => m.version)));

      // Written by the previous version: a finished run with events, and a run left RUNNING.
      const sid = newId();
      const done = runOf({ session_id: sid });
      await store.runs.begin(done, seed(sid));
      done.status = "COMPLETED";
      done.content = "old answer";
      await store.runs.finish(done, { messages_added: 1 });
      await store.events.append(done.run_id, [
        { event: "RunStarted", run_id: done.run_id, event_index: 0, created_at: 1 } as never,
      ]);
      const left = runOf({ session_id: sid });
      await store.runs.begin(left, seed(sid));

      await store.migrate();
      expect(await schemaVersion(impl.kysely)).toBe(LATEST);
      expect(await store.runs.get(done.run_id)).toMatchObject({ status: "COMPLETED", content: "old answer" });
      expect((await store.events.list(done.run_id, -1)).map((e) => e.event)).toEqual(["RunStarted"]);
      expect((await store.sessions.get(sid))?.run_count).toBe(2);

      // Runs without an owner are no replica's: a sweep leaves them to the single-process restart rule.
      const now = Date.now();
      await store.replicas.heartbeat("old-replica", now - 60_000);
      await store.replicas.heartbeat("alive", now);
      expect(await store.replicas.sweep(30_000, now, "gone")).toEqual([]);
      expect((await store.runs.get(left.run_id))?.status).toBe("RUNNING");

      // A run begun by a replica is that replica's; when the replica stops beating, it ends ERROR.
      const owned = runOf({ session_id: sid });
      await store.runs.begin(owned, { ...seed(sid), replica_id: "r1" });
      expect(await store.replicas.unfinished("r1")).toEqual([owned.run_id]);
      await store.replicas.heartbeat("r1", now - 10_000);
      expect(await store.replicas.sweep(30_000, now, "gone")).toEqual([]);
      expect(await store.replicas.sweep(5_000, now, "replica gone")).toEqual([owned.run_id]);
      expect(await store.runs.get(owned.run_id)).toMatchObject({ status: "ERROR", error: "replica gone" });
      // The dead replica is forgotten; the live one is not.
      expect(await store.replicas.sweep(5_000, now, "again")).toEqual([]);
      await store.replicas.claim(left.run_id, "alive");
      expect(await store.replicas.unfinished("alive")).toEqual([left.run_id]);
      expect(await store.replicas.fail([left.run_id], "lost", now)).toEqual([left.run_id]);
      expect(await store.replicas.fail([left.run_id], "lost", now)).toEqual([]);
    });
  });
}
