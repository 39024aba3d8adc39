import type { Kysely, Transaction } from "kysely";
import { ConflictError, NotFoundError } from "../../errors.js";
import { componentIdOf } from "../../run/index.js";
import type { RunOutput, RunStatus } from "../../run/index.js";
import type { RunListQuery, RunStore, RunSummary, SessionRecord, SessionSeed } from "../store.js";
import { toJson } from "./dialect.js";
import { toRun, toRunSummary, toSession } from "./rows.js";
import { failUnfinishedRuns } from "./run-rollups.js";
import type { RunFacts, RunRollups } from "./run-rollups.js";
import { RunStatements, SUMMARY_COLUMNS } from "./run-statements.js";
import type { RunColumns } from "./run-statements.js";
import type { Database } from "./schema.js";
import type { WriteBatcher } from "./write-batcher.js";

/** The indexed columns of a run, derived from its body. */
function columns(run: RunOutput): RunColumns {
  const m = run.metrics;
  return {
    parent_run_id: run.parent_run_id,
    component_kind: run.component_kind,
    component_id: componentIdOf(run),
    user_id: run.user_id,
    status: run.status,
    data: JSON.stringify(run),
    error: run.error,
    model: run.model,
    input_tokens: m.input_tokens,
    output_tokens: m.output_tokens,
    total_tokens: m.total_tokens,
    duration_ms: run.status === "RUNNING" || run.status === "PENDING" ? null : Math.round(m.time * 1000),
    ttft_ms: m.time_to_first_token === null ? null : Math.round(m.time_to_first_token * 1000),
    updated_at: Date.now(),
  };
}

export class SqlRunStore implements RunStore {
  readonly #sql = new RunStatements();

  constructor(
    private readonly db: () => Kysely<Database>,
    private readonly writes: WriteBatcher,
    private readonly rollups: RunRollups,
  ) {}

  async begin(run: RunOutput, seed: SessionSeed): Promise<SessionRecord> {
    return this.writes.run(async (trx) => {
      const now = Date.now();
      let row = await this.#sql.session.first(trx, { session_id: seed.session_id });
      if (!row) {
        if (run.parent_run_id) throw new NotFoundError("Session not found");
        const fresh = {
          session_id: seed.session_id,
          session_type: seed.session_type,
          component_id: seed.component_id,
          agent_id: seed.session_type === "agent" ? seed.component_id : null,
          team_id: seed.session_type === "team" ? seed.component_id : null,
          workflow_id: seed.session_type === "workflow" ? seed.component_id : null,
          user_id: seed.user_id,
          session_name: null,
          session_state: null,
          metadata: null,
          summary: null,
          message_count: 0,
          run_count: 0,
          created_at: now,
          updated_at: now,
        };
        await this.#sql.newSession.execute(trx, fresh);
        row = fresh;
      } else if (!run.parent_run_id) {
        if (row.component_id !== seed.component_id || row.session_type !== seed.session_type) {
          throw new ConflictError(
            `Session '${seed.session_id}' belongs to ${row.session_type} '${row.component_id}'`,
          );
        }
        if (row.user_id !== null && seed.user_id !== null && row.user_id !== seed.user_id) {
          throw new NotFoundError("Session not found");
        }
      }
      const existing = await this.#sql.facts.first(trx, { run_id: run.run_id });
      if (existing) {
        await this.#update(trx, run, existing, seed.replica_id ?? undefined);
      } else {
        const row = { run_id: run.run_id, session_id: run.session_id, created_at: now, ...columns(run) };
        if (seed.replica_id)
          await this.#sql.newOwnedRun.execute(trx, { ...row, replica_id: seed.replica_id });
        else await this.#sql.newRun.execute(trx, row);
        await this.rollups.change(trx, undefined, row);
        if (!run.parent_run_id)
          await this.#sql.countRun.execute(trx, { session_id: seed.session_id, updated_at: now });
      }
      return toSession(row);
    });
  }

  async save(run: RunOutput): Promise<void> {
    await this.writes.run(async (trx) => {
      const before = await this.#sql.facts.first(trx, { run_id: run.run_id });
      if (before) await this.#update(trx, run, before);
    });
  }

  async finish(
    run: RunOutput,
    session: { session_state?: Record<string, unknown> | null; messages_added: number },
  ): Promise<void> {
    // A nested run (team member, workflow step) leaves the session's messages and state to its parent.
    const nested = run.parent_run_id !== null;
    await this.writes.run(async (trx) => {
      const before = await this.#sql.facts.first(trx, { run_id: run.run_id });
      if (before) await this.#update(trx, run, before);
      const turn = {
        session_id: run.session_id,
        updated_at: Date.now(),
        messages_added: session.messages_added,
      };
      if (nested) await this.#sql.touchSession.execute(trx, turn);
      else if (session.session_state === undefined) await this.#sql.endTurn.execute(trx, turn);
      else
        await this.#sql.endTurnWithState.execute(trx, {
          ...turn,
          session_state: toJson(session.session_state),
        });
    });
  }

  async get(runId: string): Promise<RunOutput | undefined> {
    const row = await this.db()
      .selectFrom("runs")
      .select(["data", "status", "error"])
      .where("run_id", "=", runId)
      .executeTakeFirst();
    return row && toRun(row);
  }

  #filtered(q: RunListQuery) {
    let query = this.db().selectFrom("runs");
    if (q.sessionId !== undefined) query = query.where("session_id", "=", q.sessionId);
    if (q.componentId !== undefined) query = query.where("component_id", "=", q.componentId);
    if (q.userId !== undefined) query = query.where("user_id", "=", q.userId);
    if (q.status !== undefined) query = query.where("status", "=", q.status);
    if (q.topLevelOnly) query = query.where("parent_run_id", "is", null);
    if (q.parentRunId !== undefined) query = query.where("parent_run_id", "=", q.parentRunId);
    return query
      .orderBy("created_at", "asc")
      .orderBy("run_id", "asc")
      .limit(q.limit ?? 10_000);
  }

  async list(q: RunListQuery): Promise<RunOutput[]> {
    const rows = await this.#filtered(q).select(["data", "status", "error"]).execute();
    return rows.map(toRun);
  }

  async summaries(q: RunListQuery): Promise<RunSummary[]> {
    const rows = await this.#filtered(q).select(SUMMARY_COLUMNS).execute();
    return rows.map(toRunSummary);
  }

  async firstRuns(sessionIds: readonly string[]): Promise<Map<string, RunOutput>> {
    if (!sessionIds.length) return new Map();
    // Per session, the first entry of runs_session_idx that is top-level: a short walk each, as `list` does.
    const rows = await this.db()
      .selectFrom("runs")
      .select(["data", "status", "error"])
      .where("run_id", "in", (eb) =>
        eb
          .selectFrom("sessions as s")
          .select((inner) =>
            inner
              .selectFrom("runs as e")
              .select("e.run_id")
              .whereRef("e.session_id", "=", "s.session_id")
              .where("e.parent_run_id", "is", null)
              .orderBy("e.created_at", "asc")
              .orderBy("e.run_id", "asc")
              .limit(1)
              .as("first_run_id"),
          )
          .where("s.session_id", "in", [...new Set(sessionIds)]),
      )
      .execute();
    return new Map(
      rows.map((row) => {
        const run = toRun(row);
        return [run.session_id, run];
      }),
    );
  }

  async history(sessionId: string, componentId: string, limit: number): Promise<RunOutput[]> {
    if (limit <= 0) return [];
    const rows = await this.db()
      .selectFrom("runs")
      .select(["data", "status", "error"])
      .where("session_id", "=", sessionId)
      .where("component_id", "=", componentId)
      .where("parent_run_id", "is", null)
      .where("status", "=", "COMPLETED")
      .orderBy("created_at", "desc")
      .orderBy("run_id", "desc")
      .limit(limit)
      .execute();
    return rows.map(toRun).reverse();
  }

  failUnfinished(reason: string): Promise<string[]> {
    return this.writes.run((trx) => failUnfinishedRuns(trx, this.rollups, {}, reason, Date.now()));
  }

  async transition(runId: string, from: RunStatus, to: RunStatus): Promise<boolean> {
    return this.writes.run(async (trx) => {
      const before = await this.#sql.facts.first(trx, { run_id: runId });
      if (!before || before.status !== from) return false;
      const res = await trx
        .updateTable("runs")
        .set({ status: to, updated_at: Date.now() })
        .where("run_id", "=", runId)
        .where("status", "=", from)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await this.rollups.change(trx, before, { ...before, status: to });
      return true;
    });
  }

  /** Writes the run's columns over a stored row (and a new owner, when a replica takes it up) and rolls the change up. */
  async #update(
    trx: Transaction<Database>,
    run: RunOutput,
    before: RunFacts,
    replicaId?: string,
  ): Promise<void> {
    const cols = columns(run);
    if (replicaId)
      await trx
        .updateTable("runs")
        .set({ ...cols, replica_id: replicaId })
        .where("run_id", "=", run.run_id)
        .execute();
    else await this.#sql.writeRun.execute(trx, { ...cols, run_id: run.run_id });
    // created_at, the component and the parent never change: the roll-up key stays the same.
    await this.rollups.change(trx, before, { ...before, ...cols, created_at: before.created_at });
  }
}
