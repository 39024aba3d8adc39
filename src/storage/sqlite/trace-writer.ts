/**
 * The trace file's writer thread: stores span batches and prunes old traces with its own
 * connection, so the SQLite work of tracing never runs on the thread that serves requests.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Kysely, SqliteDialect } from "kysely";
import type { SpanRow, TraceRecord } from "../trace-store.js";
import type { Database } from "../sql/schema.js";
import { SqlTraceStore } from "../sql/trace-queries.js";
import { WriteBatcher } from "../sql/write-batcher.js";
import { openSqlite } from "./open-sqlite.js";
import { SPAN_ROW_COLUMNS, TRACE_ROW_COLUMNS, unflatten } from "./trace-writer-protocol.js";
import type { TraceWriterData, TraceWriterReply, TraceWriterRequest } from "./trace-writer-protocol.js";

const port = parentPort!;
const settings = workerData as TraceWriterData;
const db = new Kysely<Database>({
  dialect: new SqliteDialect({ database: async () => openSqlite(settings) }),
});
const store = new SqlTraceStore(() => db, new WriteBatcher(() => db));

async function handle(req: TraceWriterRequest): Promise<number | undefined> {
  switch (req.op) {
    case "write":
      await store.write({
        spans: unflatten<SpanRow>(req.spans, SPAN_ROW_COLUMNS),
        traces: unflatten<TraceRecord>(req.traces, TRACE_ROW_COLUMNS),
      });
      return undefined;
    case "prune":
      return store.prune(req.olderThanUs, req.batchSize);
    case "close":
      await db.destroy();
      port.close();
      return undefined;
  }
}

port.on("message", (req: TraceWriterRequest) => {
  handle(req).then(
    (value) => port.postMessage({ id: req.id, ok: true, value } satisfies TraceWriterReply),
    (err: unknown) =>
      port.postMessage({
        id: req.id,
        ok: false,
        error: err instanceof Error ? err.message : String(err),
      } satisfies TraceWriterReply),
  );
});
