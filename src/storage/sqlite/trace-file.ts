import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { Database } from "../sql/schema.js";
import { createTraceTables, SPAN_COLUMNS, TRACE_COLUMNS } from "../sql/trace-tables.js";
import type { SpanRecord, SpanRow, TracePage, TraceQuery, TraceRecord, TraceStore } from "../trace-store.js";
import type { TraceFileSettings } from "../trace-store.js";
import { traceFileConnection } from "./trace-file-connection.js";
import type { TraceFileConnection } from "./trace-file-connection.js";

const VERSION = 1;

/**
 * SQLite's traces and spans, in a file of their own next to the OS database, so that storing spans
 * never takes the OS file's write lock. The tracing thread writes runs' spans with a connection
 * of its own (see TracingThread); this one, on the serving thread, reads them (WAL lets reads run
 * beside that writer), prunes them and takes direct writes. Traces an earlier version kept in the
 * OS file are moved here when the file is first opened.
 */
export class TraceFile implements TraceStore {
  #conn: TraceFileConnection | undefined;
  #ready: Promise<void> | undefined;

  constructor(
    readonly settings: TraceFileSettings,
    private readonly osFile: string,
  ) {}

  /** Creates the file's tables and moves in the OS file's traces, once. */
  migrate(): Promise<void> {
    this.#ready ??= this.#migrate().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async write(batch: { traces: TraceRecord[]; spans: SpanRow[] }): Promise<void> {
    await (await this.#store()).write(batch);
  }

  async list(query: TraceQuery): Promise<TracePage> {
    return (await this.#store()).list(query);
  }

  async get(traceId: string): Promise<TraceRecord | undefined> {
    return (await this.#store()).get(traceId);
  }

  async spans(traceIds: string[]): Promise<SpanRecord[]> {
    return (await this.#store()).spans(traceIds);
  }

  async prune(olderThanUs: number, batchSize = 500): Promise<number> {
    return (await this.#store()).prune(olderThanUs, batchSize);
  }

  async close(): Promise<void> {
    const conn = this.#conn;
    this.#conn = undefined;
    this.#ready = undefined;
    await conn?.db.destroy();
  }

  async #store(): Promise<TraceStore> {
    await this.migrate();
    return this.#connection().store;
  }

  #connection(): TraceFileConnection {
    return (this.#conn ??= traceFileConnection(this.settings));
  }

  async #migrate(): Promise<void> {
    await this.#connection()
      .db.connection()
      .execute(async (conn) => {
        await immediate(conn, async () => {
          const version = (await sql<{ user_version: number }>`pragma user_version`.execute(conn)).rows[0];
          if ((version?.user_version ?? 0) >= VERSION) return;
          await createTraceTables(conn, "text");
          await sql.raw(`pragma user_version = ${VERSION}`).execute(conn);
        });
        await this.#adopt(conn);
      });
  }

  /** Moves the traces and spans an earlier version stored in the OS file (copied first, then deleted there). */
  async #adopt(conn: Kysely<Database>): Promise<void> {
    await sql`attach database ${this.osFile} as os`.execute(conn);
    try {
      const tables = await sql<{ n: number }>`
        select count(*) as n from os.sqlite_master where type = 'table' and name in ('traces', 'spans')`.execute(
        conn,
      );
      if (Number(tables.rows[0]?.n) < 2) return;
      const left = await sql`select 1 from os.spans union all select 1 from os.traces limit 1`.execute(conn);
      if (!left.rows.length) return;
      const spans = sql.raw(SPAN_COLUMNS.join(", "));
      const traces = sql.raw(TRACE_COLUMNS.join(", "));
      await immediate(conn, async () => {
        await sql`insert or ignore into main.spans (${spans}) select ${spans} from os.spans`.execute(conn);
        await sql`insert or ignore into main.traces (${traces}) select ${traces} from os.traces`.execute(
          conn,
        );
      });
      await immediate(conn, async () => {
        await sql`delete from os.spans`.execute(conn);
        await sql`delete from os.traces`.execute(conn);
      });
    } finally {
      await sql`detach database os`.execute(conn);
    }
  }
}

/** Runs `fn` in a transaction that takes the write lock first, so concurrent openers take turns. */
async function immediate(conn: Kysely<Database>, fn: () => Promise<void>): Promise<void> {
  await sql`begin immediate`.execute(conn);
  try {
    await fn();
    await sql`commit`.execute(conn);
  } catch (err) {
    await sql`rollback`.execute(conn);
    throw err;
  }
}
