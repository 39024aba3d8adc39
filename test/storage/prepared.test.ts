import { describe, expect, it } from "vitest";
import { Prepared } from "../../src/storage/sql/prepared.js";
import { kyselyOf, tempSqlite } from "../helpers/temp-store.js";

describe("Prepared", () => {
  it("builds and compiles once, then binds each call's values by name and keeps the built-in ones", async () => {
    const t = await tempSqlite();
    try {
      const db = await kyselyOf(t.db);
      let builds = 0;
      const insert = new Prepared<{ id: string; name: string; created: number; label?: string }>((k, p) => {
        builds++;
        // run_count comes from the statement (1), not from the caller.
        return k.insertInto("sessions").values({
          session_id: p("id"),
          session_type: "agent",
          component_id: p("name"),
          agent_id: p("name"),
          team_id: null,
          workflow_id: null,
          user_id: null,
          session_name: p("label"),
          session_state: null,
          metadata: null,
          summary: null,
          message_count: 0,
          run_count: 1,
          created_at: p("created"),
          updated_at: p("created"),
        });
      });
      const read = new Prepared<
        { id: string },
        { component_id: string; run_count: number; updated_at: number }
      >((k, p) =>
        k
          .selectFrom("sessions")
          .select(["component_id", "run_count", "updated_at"])
          .where("session_id", "=", p("id")),
      );
      await insert.execute(db, { id: "s1", name: "alpha", created: 10 });
      await insert.execute(db, { id: "s2", name: "beta", created: 20, label: "second" });
      expect(builds).toBe(1);
      expect(await read.first(db, { id: "s2" })).toEqual({
        component_id: "beta",
        run_count: 1,
        updated_at: 20,
      });
      expect(await read.first(db, { id: "s1" })).toEqual({
        component_id: "alpha",
        run_count: 1,
        updated_at: 10,
      });
      expect(await read.first(db, { id: "nope" })).toBeUndefined();
    } finally {
      await t.cleanup();
    }
  });
});
