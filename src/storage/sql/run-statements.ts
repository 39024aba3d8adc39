import type { Selectable } from "kysely";
import { params, Prepared } from "./prepared.js";
import { FACT_COLUMNS } from "./run-rollups.js";
import type { RunFacts } from "./run-rollups.js";
import type { RunsTable, SessionsTable } from "./schema.js";

/** The columns of a run row that follow from its body (all but its ids and created_at). */
export type RunColumns = Omit<RunsTable, "run_id" | "session_id" | "created_at">;
const RUN_COLUMNS = [
  "parent_run_id",
  "component_kind",
  "component_id",
  "user_id",
  "status",
  "data",
  "error",
  "model",
  "input_tokens",
  "output_tokens",
  "total_tokens",
  "duration_ms",
  "ttft_ms",
  "updated_at",
] as const satisfies readonly (keyof RunColumns)[];
/** What a run's short form reads: its row without the body. */
export const SUMMARY_COLUMNS = [
  "run_id",
  "session_id",
  "created_at",
  ...RUN_COLUMNS.filter((c): c is Exclude<(typeof RUN_COLUMNS)[number], "data"> => c !== "data"),
] as const;
const SESSION_COLUMNS = [
  "session_id",
  "session_type",
  "component_id",
  "agent_id",
  "team_id",
  "workflow_id",
  "user_id",
  "session_name",
  "session_state",
  "metadata",
  "summary",
  "message_count",
  "run_count",
  "created_at",
  "updated_at",
] as const satisfies readonly (keyof SessionsTable)[];

/** The statements every run writes (its session, its row), compiled once each: see Prepared. */
export class RunStatements {
  readonly session = new Prepared<{ session_id: string }, Selectable<SessionsTable>>((db, p) =>
    db.selectFrom("sessions").selectAll().where("session_id", "=", p("session_id")),
  );
  readonly newSession = new Prepared<SessionsTable>((db, p) =>
    db.insertInto("sessions").values(params(p, SESSION_COLUMNS)),
  );
  readonly facts = new Prepared<{ run_id: string }, RunFacts>((db, p) =>
    db.selectFrom("runs").select(FACT_COLUMNS).where("run_id", "=", p("run_id")),
  );
  readonly newRun = new Prepared<RunsTable>((db, p) =>
    db.insertInto("runs").values(params(p, ["run_id", "session_id", "created_at", ...RUN_COLUMNS])),
  );
  /** A run a replica runs: it names the replica (several replicas only). */
  readonly newOwnedRun = new Prepared<RunsTable>((db, p) =>
    db
      .insertInto("runs")
      .values(params(p, ["run_id", "session_id", "created_at", "replica_id", ...RUN_COLUMNS])),
  );
  readonly writeRun = new Prepared<RunColumns & { run_id: string }>((db, p) =>
    db.updateTable("runs").set(params(p, RUN_COLUMNS)).where("run_id", "=", p("run_id")),
  );
  readonly countRun = new Prepared<{ session_id: string; updated_at: number }>((db, p) =>
    db
      .updateTable("sessions")
      .set((eb) => ({ run_count: eb("run_count", "+", 1), updated_at: p("updated_at") }))
      .where("session_id", "=", p("session_id")),
  );
  readonly touchSession = new Prepared<{ session_id: string; updated_at: number }>((db, p) =>
    db
      .updateTable("sessions")
      .set({ updated_at: p("updated_at") })
      .where("session_id", "=", p("session_id")),
  );
  readonly endTurn = new Prepared<{ session_id: string; updated_at: number; messages_added: number }>(
    (db, p) =>
      db
        .updateTable("sessions")
        .set((eb) => ({
          updated_at: p("updated_at"),
          message_count: eb("message_count", "+", p("messages_added")),
        }))
        .where("session_id", "=", p("session_id")),
  );
  readonly endTurnWithState = new Prepared<{
    session_id: string;
    updated_at: number;
    messages_added: number;
    session_state: string | null;
  }>((db, p) =>
    db
      .updateTable("sessions")
      .set((eb) => ({
        updated_at: p("updated_at"),
        message_count: eb("message_count", "+", p("messages_added")),
        session_state: p("session_state"),
      }))
      .where("session_id", "=", p("session_id")),
  );
}
