import { Kysely, SqliteDialect } from "kysely";
import type { DialectParts } from "../sql/dialect.js";
import type { Database } from "../sql/schema.js";
import { SqlStore } from "../sql/sql-store.js";
import { openSqlite } from "./open-sqlite.js";

export interface SqliteDbOptions {
  /** The database file (created with its folder); ":memory:" for a throwaway store. Default "agentos.db". */
  file?: string;
  /** The id listed under `databases` in /config. Default "agentos-db". */
  id?: string;
  /** How long a writer waits for a lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
}

class SqliteParts implements DialectParts {
  readonly name = "sqlite" as const;
  readonly jsonType = "text" as const;
  constructor(private readonly options: Required<Omit<SqliteDbOptions, "id">>) {}

  connect(): Kysely<Database> {
    const { file, busyTimeoutMs } = this.options;
    return new Kysely<Database>({
      dialect: new SqliteDialect({ database: async () => openSqlite({ file, busyTimeoutMs }) }),
    });
  }

  withMigrationLock<T>(_db: Kysely<Database>, fn: () => Promise<T>): Promise<T> {
    return fn();
  }
}

/** An embedded SQLite store: the default for one machine. Opening the file waits for first use. */
export class SqliteDb extends SqlStore {
  readonly file: string;
  constructor(options: SqliteDbOptions = {}) {
    const file = options.file ?? "agentos.db";
    super(
      options.id ?? "agentos-db",
      new SqliteParts({ file, busyTimeoutMs: options.busyTimeoutMs ?? 5000 }),
    );
    this.file = file;
  }
}
