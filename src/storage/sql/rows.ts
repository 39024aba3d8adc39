import type { Selectable } from "kysely";
import type { ComponentKind, RunOutput, RunStatus } from "../../run/index.js";
import type { RunSummary, SessionRecord, SessionSummary } from "../store.js";
import { fromJson } from "./dialect.js";
import type { RunsTable, SessionsTable } from "./schema.js";

export function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    session_id: row.session_id,
    session_type: row.session_type as ComponentKind,
    component_id: row.component_id,
    agent_id: row.agent_id,
    team_id: row.team_id,
    workflow_id: row.workflow_id,
    user_id: row.user_id,
    session_name: row.session_name,
    session_state: fromJson<Record<string, unknown>>(row.session_state),
    metadata: fromJson<Record<string, unknown>>(row.metadata),
    summary: fromJson<SessionSummary>(row.summary),
    message_count: Number(row.message_count),
    run_count: Number(row.run_count),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}

/** The body holds the whole run; the columns are authoritative for what is updated in place. */
export function toRun(row: Pick<Selectable<RunsTable>, "data" | "status" | "error">): RunOutput {
  const run = fromJson<RunOutput>(row.data)!;
  run.status = row.status as RunStatus;
  run.error = row.error;
  return run;
}

export function toRunSummary(row: Omit<Selectable<RunsTable>, "data" | "replica_id">): RunSummary {
  return {
    run_id: row.run_id,
    session_id: row.session_id,
    parent_run_id: row.parent_run_id,
    component_kind: row.component_kind as ComponentKind,
    component_id: row.component_id,
    user_id: row.user_id,
    status: row.status as RunStatus,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}
