import { LazyStore } from "../lazy-store.js";
import type { TraceFileSettings } from "../trace-store.js";
import { traceFileOf } from "./trace-file-name.js";

export interface SqliteDbOptions {
  /** The database file (created with its folder); ":memory:" for a throwaway store. Default "agentos.db". */
  file?: string;
  /** The id listed under `databases` in /config. Default "agentos-db". */
  id?: string;
  /** How long a writer waits for a lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
  /**
   * The file traces and spans are kept in, which a thread of its own writes. Default: beside
   * `file` (`agentos.db` → `agentos.traces.db`); none for ":memory:", whose traces stay in it.
   */
  tracesFile?: string;
}

/** An embedded SQLite store: the default for one machine. Nothing is loaded or opened until first use. */
export class SqliteDb extends LazyStore {
  readonly file: string;
  /** Where traces are kept; undefined when they stay in `file` (":memory:"). */
  readonly tracesFile: string | undefined;
  readonly #traceFile: TraceFileSettings | undefined;
  constructor(options: SqliteDbOptions = {}) {
    const id = options.id ?? "agentos-db";
    const file = options.file ?? "agentos.db";
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    const tracesFile = file === ":memory:" ? undefined : (options.tracesFile ?? traceFileOf(file));
    const traceFile = tracesFile ? { file: tracesFile, busyTimeoutMs } : undefined;
    super(id, "sqlite", async () => {
      const { SqliteSqlStore } = await import("./sqlite-sql-store.js");
      return new SqliteSqlStore(id, { file, busyTimeoutMs, ...(traceFile ? { traceFile } : {}) });
    });
    this.file = file;
    this.tracesFile = tracesFile;
    this.#traceFile = traceFile;
  }

  traceFile(): TraceFileSettings | undefined {
    return this.#traceFile;
  }
}
