import { describe, expect, it } from "vitest";
import { MIGRATIONS, runMigrations } from "../../src/storage/sql/index.js";
import type { DialectParts, SqlStore } from "../../src/storage/sql/index.js";
import { tempSqliteUnmigrated } from "./rollup-helpers.js";

describe("migration 21 (run roll-ups)", () => {
  it("fills the roll-ups from the runs a database already holds", async () => {
    const t = await tempSqliteUnmigrated();
    try {
      const store = (await t.db.impl()) as SqlStore;
      const parts = (store as unknown as { parts: DialectParts }).parts;
      await runMigrations(
        store.kysely,
        parts,
        MIGRATIONS.filter((m) => m.version < 21),
      );
      const day = Date.UTC(2003, 4, 5);
      await store.kysely
        .insertInto("sessions")
        .values({
          session_id: "s",
          session_type: "agent",
          component_id: "a",
          agent_id: "a",
          team_id: null,
          workflow_id: null,
          user_id: null,
          session_name: null,
          session_state: null,
          metadata: null,
          summary: null,
          message_count: 0,
          run_count: 0,
          created_at: day,
          updated_at: day,
        })
        .execute();
      const run = (
        i: number,
        status: string,
        ms: number | null,
        parent: string | null,
        user: string | null,
      ) => ({
        run_id: `r${i}`,
        session_id: "s",
        parent_run_id: parent,
        component_kind: "agent",
        component_id: "a",
        user_id: user,
        status,
        data: "{}",
        error: null,
        model: "m",
        input_tokens: 10 * i,
        output_tokens: i,
        total_tokens: 11 * i,
        duration_ms: ms,
        ttft_ms: ms === null ? null : ms / 10,
        created_at: day + i,
        updated_at: day + i,
      });
      await store.kysely
        .insertInto("runs")
        .values([
          run(1, "COMPLETED", 100, null, "u1"),
          run(2, "ERROR", 300, null, "u2"),
          run(3, "RUNNING", null, null, "u1"),
          run(4, "COMPLETED", 200, "r1", "u1"),
        ])
        .execute();
      await t.db.migrate();
      const r = await t.db.metrics.aggregate({ fromMs: day, toMs: day + 86_400_000 });
      expect(r.totals).toEqual({ runs: 3, errors: 1, input_tokens: 60, output_tokens: 6 });
      expect(r.components).toEqual([
        {
          kind: "agent",
          id: "a",
          runs: 4,
          completed: 2,
          errors: 1,
          cancelled: 0,
          latency_ms: { p50: 200, p95: 300, p99: 300 },
          time_to_first_token_ms: { p50: 20, p95: 30, p99: null },
          input_tokens: 100,
          output_tokens: 10,
        },
      ]);
      expect(r.daily).toEqual([
        { date: "2003-05-05", runs: 3, errors: 1, input_tokens: 60, output_tokens: 6, users: 2 },
      ]);
    } finally {
      await t.cleanup();
    }
  });
});
