import { Kysely, SqliteDialect } from "kysely";
import type BetterSqlite3 from "better-sqlite3";
import type { DialectParts } from "../sql/dialect.js";
import type { Database } from "../sql/schema.js";
import { SqlStore } from "../sql/sql-store.js";
import { openSqlite } from "./open-sqlite.js";
import { SqliteSearch } from "./sqlite-search.js";
import type { TraceFileSettings } from "../trace-store.js";
import { TraceFile } from "./trace-file.js";

export interface SqliteSettings {
  file: string;
  busyTimeoutMs: number;
  /** The file traces are kept in (see TraceFile); without one, the OS file's tables. */
  traceFile?: TraceFileSettings;
}

class SqliteParts implements DialectParts {
  readonly name = "sqlite" as const;
  readonly jsonType = "text" as const;
  readonly autoIdType = "integer" as const;
  readonly search = new SqliteSearch(() => this.#raw);
  #raw: BetterSqlite3.Database | undefined;
  constructor(private readonly settings: SqliteSettings) {}

  connect(): Kysely<Database> {
    return new Kysely<Database>({
      dialect: new SqliteDialect({
        database: async () => {
          const db = openSqlite(this.settings);
          this.#raw = db.raw;
          return db;
        },
      }),
    });
  }

  withMigrationLock<T>(db: Kysely<Database>, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return fn(db);
  }
}

/** The SQL store over a SQLite file; the file is opened on the first query. */
export class SqliteSqlStore extends SqlStore {
  readonly #traceFile: TraceFile | undefined;

  constructor(id: string, settings: SqliteSettings) {
    const traceFile = settings.traceFile && new TraceFile(settings.traceFile, settings.file);
    super(id, new SqliteParts(settings), traceFile);
    this.#traceFile = traceFile;
  }

  override async migrate(): Promise<void> {
    await super.migrate();
    await this.#traceFile?.migrate();
  }

  override async close(): Promise<void> {
    await this.#traceFile?.close();
    await super.close();
  }
}
