import { LazyStore } from "../lazy-store.js";

export interface SqliteDbOptions {
  /** The database file (created with its folder); ":memory:" for a throwaway store. Default "agentos.db". */
  file?: string;
  /** The id listed under `databases` in /config. Default "agentos-db". */
  id?: string;
  /** How long a writer waits for a lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
}

/** An embedded SQLite store: the default for one machine. Nothing is loaded or opened until first use. */
export class SqliteDb extends LazyStore {
  readonly file: string;
  constructor(options: SqliteDbOptions = {}) {
    const id = options.id ?? "agentos-db";
    const file = options.file ?? "agentos.db";
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    super(id, "sqlite", async () => {
      const { SqliteSqlStore } = await import("./sqlite-sql-store.js");
      return new SqliteSqlStore(id, { file, busyTimeoutMs });
    });
    this.file = file;
  }
}
