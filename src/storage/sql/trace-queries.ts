import type { Kysely, Selectable } from "kysely";
import type { SpanRecord, SpanRow, TracePage, TraceQuery, TraceRecord, TraceStore } from "../trace-store.js";
import { BulkInsert } from "./bulk-insert.js";
import { fromJson } from "./dialect.js";
import { keysetPage } from "./keyset.js";
import type { Database, SpansTable, TracesTable } from "./schema.js";
import { SPAN_COLUMNS, TRACE_COLUMNS } from "./trace-tables.js";
import type { WriteBatcher } from "./write-batcher.js";

export class SqlTraceStore implements TraceStore {
  // Spans arrive by the hundred on every busy second: their inserts are compiled once.
  readonly #spans = new BulkInsert("spans", SPAN_COLUMNS, ["trace_id", "span_id"]);
  readonly #traces = new BulkInsert("traces", TRACE_COLUMNS, ["trace_id"]);

  constructor(
    private readonly db: () => Kysely<Database>,
    private readonly writes: WriteBatcher,
  ) {}

  async write(batch: { traces: TraceRecord[]; spans: SpanRow[] }): Promise<void> {
    if (!batch.traces.length && !batch.spans.length) return;
    await this.writes.run(async (trx) => {
      await this.#spans.execute(trx, batch.spans);
      await this.#traces.execute(trx, batch.traces);
    });
  }

  async list(q: TraceQuery): Promise<TracePage> {
    let query = this.db().selectFrom("traces").selectAll();
    if (q.runId !== undefined) query = query.where("run_id", "=", q.runId);
    if (q.sessionId !== undefined) query = query.where("session_id", "=", q.sessionId);
    if (q.agentId !== undefined) query = query.where("agent_id", "=", q.agentId);
    if (q.teamId !== undefined) query = query.where("team_id", "=", q.teamId);
    if (q.workflowId !== undefined) query = query.where("workflow_id", "=", q.workflowId);
    if (q.userId !== undefined) query = query.where("user_id", "=", q.userId);
    if (q.status !== undefined) query = query.where("status", "=", q.status);
    const { items, nextCursor } = await keysetPage(
      query,
      { time: "start_time", id: "trace_id" },
      q,
      toTrace,
      (t) => [t.start_time, t.trace_id],
    );
    return { traces: items, nextCursor };
  }

  async get(traceId: string): Promise<TraceRecord | undefined> {
    const row = await this.db()
      .selectFrom("traces")
      .selectAll()
      .where("trace_id", "=", traceId)
      .executeTakeFirst();
    return row && toTrace(row);
  }

  async spans(traceIds: string[]): Promise<SpanRecord[]> {
    if (!traceIds.length) return [];
    const rows = await this.db()
      .selectFrom("spans")
      .selectAll()
      .where("trace_id", "in", traceIds)
      .orderBy("start_time", "asc")
      .orderBy("span_id", "asc")
      .execute();
    return rows.map(toSpan);
  }

  async prune(olderThanUs: number, batchSize = 500): Promise<number> {
    let traces = 0;
    for (;;) {
      const ids = (
        await this.db()
          .selectFrom("traces")
          .select("trace_id")
          .where("start_time", "<", olderThanUs)
          .limit(batchSize)
          .execute()
      ).map((r) => r.trace_id);
      if (!ids.length) break;
      await this.writes.run(async (trx) => {
        await trx.deleteFrom("spans").where("trace_id", "in", ids).execute();
        await trx.deleteFrom("traces").where("trace_id", "in", ids).execute();
      });
      traces += ids.length;
      if (ids.length < batchSize) break;
    }
    // Spans whose root never ended (a crash) have no trace row: they go by their own age.
    for (;;) {
      const orphans = (
        await this.db()
          .selectFrom("spans")
          .select("trace_id")
          .distinct()
          .where("start_time", "<", olderThanUs)
          .limit(batchSize)
          .execute()
      ).map((r) => r.trace_id);
      if (!orphans.length) break;
      await this.writes.run((trx) =>
        trx
          .deleteFrom("spans")
          .where("trace_id", "in", orphans)
          .where("start_time", "<", olderThanUs)
          .execute(),
      );
      if (orphans.length < batchSize) break;
    }
    return traces;
  }
}

function toTrace(row: Selectable<TracesTable>): TraceRecord {
  return { ...row, start_time: Number(row.start_time), end_time: Number(row.end_time) };
}

function toSpan(row: Selectable<SpansTable>): SpanRecord {
  return {
    ...row,
    start_time: Number(row.start_time),
    end_time: Number(row.end_time),
    attributes: fromJson<Record<string, unknown>>(row.attributes) ?? {},
  };
}
