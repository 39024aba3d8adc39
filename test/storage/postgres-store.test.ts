import pg from "pg";
import { describe, expect, it } from "vitest";
import { PostgresDb } from "../../src/storage/index.js";
import { freshPgDatabase, pgUrl } from "../helpers/services.js";
import { migrationContract } from "./migration-contract.js";
import { storeContract } from "./store-contract.js";

const base = pgUrl();

describe.skipIf(!base)("PostgreSQL server", () => {
  storeContract("PostgreSQL", async () => {
    const database = await freshPgDatabase(base!);
    const store = new PostgresDb({ url: database.url });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await database.drop();
      },
    };
  });
});

describe.skipIf(!base)("PostgreSQL server, upgraded", () => {
  migrationContract("PostgreSQL", async () => {
    const database = await freshPgDatabase(base!);
    const store = new PostgresDb({ url: database.url });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await database.drop();
      },
    };
  });
});

describe.skipIf(!base)("PostgreSQL notes at startup", () => {
  it("says whether vectors use pgvector or fall back to real[] with exact search", async () => {
    const database = await freshPgDatabase(base!);
    const store = new PostgresDb({ url: database.url });
    const client = new pg.Client({ connectionString: database.url });
    try {
      await store.migrate();
      await client.connect();
      const { rows } = await client.query(
        "select count(*)::int as n from pg_available_extensions where name = 'vector'",
      );
      const notes = await store.notes();
      if (rows[0].n) expect(notes).toEqual([]);
      else expect(notes).toEqual([expect.stringMatching(/pgvector is not installed.*real\[\]/)]);
    } finally {
      await client.end();
      await store.close();
      await database.drop();
    }
  });
});
