import { Kysely, SqliteDialect, sql } from "kysely";
import type { Database } from "../sql/schema.js";
import { createTraceTables, SPAN_COLUMNS, TRACE_COLUMNS } from "../sql/trace-tables.js";
import { SqlTraceStore } from "../sql/trace-queries.js";
import { WriteBatcher } from "../sql/write-batcher.js";
import type { SpanRecord, SpanRow, TracePage, TraceQuery, TraceRecord, TraceStore } from "../trace-store.js";
import { openSqlite } from "./open-sqlite.js";
import { TraceWriterThread } from "./trace-writer-thread.js";

const VERSION = 1;

/**
 * SQLite's traces and spans, in a file of their own next to the OS database: a thread of its own
 * writes them, so storing spans never takes the OS file's write lock nor the serving thread's
 * time. Reads go through a connection here (WAL lets them run beside the writer). Traces an
 * earlier version kept in the OS file are moved here when the file is first opened.
 */
export class TraceFile implements TraceStore {
  readonly #thread: TraceWriterThread;
  readonly #reads: SqlTraceStore;
  #db: Kysely<Database> | undefined;
  #ready: Promise<void> | undefined;

  constructor(
    private readonly settings: { file: string; busyTimeoutMs: number },
    private readonly osFile: string,
  ) {
    this.#thread = new TraceWriterThread(settings);
    const db = () => (this.#db ??= connect(settings));
    this.#reads = new SqlTraceStore(db, new WriteBatcher(db));
  }

  get file(): string {
    return this.settings.file;
  }

  /** Creates the file's tables and moves in the OS file's traces, once. */
  migrate(): Promise<void> {
    this.#ready ??= this.#migrate().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async write(batch: { traces: TraceRecord[]; spans: SpanRow[] }): Promise<void> {
    if (!batch.traces.length && !batch.spans.length) return;
    await this.migrate();
    await this.#thread.write(batch);
  }

  async list(query: TraceQuery): Promise<TracePage> {
    await this.migrate();
    return this.#reads.list(query);
  }

  async get(traceId: string): Promise<TraceRecord | undefined> {
    await this.migrate();
    return this.#reads.get(traceId);
  }

  async spans(traceIds: string[]): Promise<SpanRecord[]> {
    await this.migrate();
    return this.#reads.spans(traceIds);
  }

  async prune(olderThanUs: number, batchSize = 500): Promise<number> {
    await this.migrate();
    return this.#thread.prune(olderThanUs, batchSize);
  }

  async close(): Promise<void> {
    await this.#thread.close();
    const db = this.#db;
    this.#db = undefined;
    this.#ready = undefined;
    await db?.destroy();
  }

  async #migrate(): Promise<void> {
    const db = (this.#db ??= connect(this.settings));
    await db.connection().execute(async (conn) => {
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
        select count(*) as n from os.sqlite_master where type = 'table' and name in ('traces', 'spans')`.execute(conn);
      if (Number(tables.rows[0]?.n) < 2) return;
      const left = await sql`select 1 from os.spans union all select 1 from os.traces limit 1`.execute(conn);
      if (!left.rows.length) return;
      const spans = sql.raw(SPAN_COLUMNS.join(", "));
      const traces = sql.raw(TRACE_COLUMNS.join(", "));
      await immediate(conn, async () => {
        await sql`insert or ignore into main.spans (${spans}) select ${spans} from os.spans`.execute(conn);
        await sql`insert or ignore into main.traces (${traces}) select ${traces} from os.traces`.execute(conn);
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

function connect(settings: { file: string; busyTimeoutMs: number }): Kysely<Database> {
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: async () => openSqlite(settings) }) });
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
