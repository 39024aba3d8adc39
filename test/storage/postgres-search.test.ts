/**
 * The Store contract (knowledge and memory included) on PostgreSQL: PGlite with pgvector behind
 * the wire protocol, reached through `pg` and Kysely's PostgreSQL dialect with PostgresSearch as
 * the dialect's search part. Nothing outside this file needs a server.
 */
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { DialectParts } from "../../src/storage/sql/dialect.js";
import type { Database } from "../../src/storage/sql/schema.js";
import { SqlStore } from "../../src/storage/sql/sql-store.js";
import { PostgresSearch } from "../../src/storage/postgres/postgres-search.js";
import { storeContract } from "./store-contract.js";

const INT8 = 20;

class PgliteParts implements DialectParts {
  readonly name = "postgres" as const;
  readonly jsonType = "jsonb" as const;
  readonly autoIdType = "bigserial" as const;
  readonly search = new PostgresSearch();
  constructor(private readonly url: string) {}

  connect(): Kysely<Database> {
    const pool = new pg.Pool({
      connectionString: this.url,
      max: 1, // PGlite runs one query at a time
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === INT8
            ? (v: string) => Number(v)
            : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
      },
    });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }

  withMigrationLock<T>(db: Kysely<Database>, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return fn(db); // one process, one connection: nothing to lock against
  }
}

storeContract("PGlite with pgvector (PostgresSearch)", async () => {
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, port: 0, host: "127.0.0.1" });
  await server.start();
  const port = (server as unknown as { server: { address(): { port: number } } }).server.address().port;
  const store = new SqlStore("pglite", new PgliteParts(`postgres://postgres@127.0.0.1:${port}/postgres`));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await server.stop();
      await db.close();
    },
  };
});
