import { Kysely, SqliteDialect } from "kysely";
import type { DialectParts } from "../sql/dialect.js";
import type { Database } from "../sql/schema.js";
import { SqlStore } from "../sql/sql-store.js";
import { openSqlite } from "./open-sqlite.js";

export interface SqliteSettings {
  file: string;
  busyTimeoutMs: number;
}

class SqliteParts implements DialectParts {
  readonly name = "sqlite" as const;
  readonly jsonType = "text" as const;
  constructor(private readonly settings: SqliteSettings) {}

  connect(): Kysely<Database> {
    return new Kysely<Database>({
      dialect: new SqliteDialect({ database: async () => openSqlite(this.settings) }),
    });
  }

  withMigrationLock<T>(db: Kysely<Database>, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return fn(db);
  }
}

/** The SQL store over a SQLite file; the file is opened on the first query. */
export class SqliteSqlStore extends SqlStore {
  constructor(id: string, settings: SqliteSettings) {
    super(id, new SqliteParts(settings));
  }
}
