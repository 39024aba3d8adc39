import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { DialectParts } from "../sql/dialect.js";
import type { Database } from "../sql/schema.js";
import { SqlStore } from "../sql/sql-store.js";
import { PostgresSearch } from "./postgres-search.js";

export interface PostgresSettings {
  url: string;
  maxConnections: number;
  statementTimeoutMs: number;
  connectionTimeoutMs: number;
  idleTimeoutMs: number;
}

/** BIGINT (epoch ms) as a JS number: exact up to 2^53, which times never reach. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/** Any fixed 64-bit key: migrations of every replica take this advisory lock in turn. */
const MIGRATION_LOCK_KEY = 7_263_514_091;

class PostgresParts implements DialectParts {
  readonly name = "postgres" as const;
  readonly jsonType = "jsonb" as const;
  readonly autoIdType = "bigserial" as const;
  readonly search = new PostgresSearch();
  constructor(private readonly settings: PostgresSettings) {}

  connect(): Kysely<Database> {
    const s = this.settings;
    const pool = new pg.Pool({
      connectionString: s.url,
      max: s.maxConnections,
      statement_timeout: s.statementTimeoutMs,
      connectionTimeoutMillis: s.connectionTimeoutMs,
      idleTimeoutMillis: s.idleTimeoutMs,
      types,
    });
    // An idle client's error (the server restarted) must not crash the process; the pool replaces it.
    pool.on("error", () => {});
    // A checked-out client whose server goes away emits "error" too (the query in flight rejects
    // on its own): without a listener that would end the process.
    pool.on("connect", (client) => client.on("error", () => {}));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }

  async withMigrationLock<T>(db: Kysely<Database>, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
      try {
        return await fn(conn);
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
      }
    });
  }
}

/** The SQL store over PostgreSQL through a pool. */
export class PostgresSqlStore extends SqlStore {
  readonly #search: PostgresSearch;
  constructor(id: string, settings: PostgresSettings) {
    const parts = new PostgresParts(settings);
    super(id, parts);
    this.#search = parts.search;
  }

  override async notes(): Promise<string[]> {
    return (await this.#search.hasPgvector(this.kysely))
      ? []
      : [
          "pgvector is not installed on this PostgreSQL server: vectors are stored as real[] and searched exactly (slower on large knowledge bases)",
        ];
  }
}
