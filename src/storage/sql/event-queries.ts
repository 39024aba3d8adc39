import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { RunEvent } from "../../run/index.js";
import type { RunEventStore } from "../store.js";
import { BulkInsert } from "./bulk-insert.js";
import { fromJson } from "./dialect.js";
import type { Database } from "./schema.js";
import type { WriteBatcher } from "./write-batcher.js";

export class SqlRunEventStore implements RunEventStore {
  readonly #insert = new BulkInsert(
    "run_events",
    ["run_id", "first_index", "last_index", "data", "created_at"],
    ["run_id", "first_index"],
  );

  constructor(
    private readonly db: () => Kysely<Database>,
    private readonly writes: WriteBatcher,
  ) {}

  /** One row per consecutive span of the stream's events; appending the same span again changes nothing. */
  async append(runId: string, events: RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    const now = Date.now();
    const rows: Database["run_events"][] = [];
    let span: RunEvent[] = [];
    const close = () => {
      if (span.length) {
        rows.push({
          run_id: runId,
          first_index: span[0].event_index,
          last_index: span[span.length - 1].event_index,
          data: JSON.stringify(span),
          created_at: now,
        });
      }
      span = [];
    };
    for (const ev of [...events].sort((a, b) => a.event_index - b.event_index)) {
      const prev = span[span.length - 1];
      if (prev && prev.event_index + 1 !== ev.event_index) close();
      span.push(ev);
    }
    close();
    await this.writes.run((trx) => this.#insert.execute(trx, rows));
  }

  async list(runId: string, afterIndex: number): Promise<RunEvent[]> {
    const rows = await this.db()
      .selectFrom("run_events")
      .select("data")
      .where("run_id", "=", runId)
      .where("last_index", ">", afterIndex)
      .orderBy("first_index", "asc")
      .execute();
    const out: RunEvent[] = [];
    let next = afterIndex + 1;
    for (const row of rows) {
      for (const ev of fromJson<RunEvent[]>(row.data) ?? []) {
        if (ev.event_index < next) continue; // overlapping spans from a retried flush
        out.push(ev);
        next = ev.event_index + 1;
      }
    }
    return out;
  }

  async lastIndex(runId: string): Promise<number> {
    const row = await this.db()
      .selectFrom("run_events")
      .select((eb) => eb.fn.max("last_index").as("last"))
      .where("run_id", "=", runId)
      .executeTakeFirst();
    return row?.last === null || row?.last === undefined ? -1 : Number(row.last);
  }

  async prune(olderThanMs: number, batchSize = 500): Promise<number> {
    let total = 0;
    for (;;) {
      // Events older than the cutoff whose run ended before it too, or whose run is gone; never a paused run's.
      const res = await sql`delete from run_events where (run_id, first_index) in (
        select e.run_id, e.first_index from run_events e left join runs r on r.run_id = e.run_id
        where e.created_at < ${olderThanMs}
          and (r.run_id is null or (r.status in ('COMPLETED', 'ERROR', 'CANCELLED') and r.updated_at < ${olderThanMs}))
        limit ${batchSize})`.execute(this.db());
      const n = Number(res.numAffectedRows ?? 0);
      total += n;
      if (n < batchSize) return total;
      // Small batches, with a turn of the event loop between them, keep requests flowing meanwhile.
      await new Promise((r) => setImmediate(r));
    }
  }
}
