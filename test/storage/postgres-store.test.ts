import { describe } from "vitest";
import { PostgresDb } from "../../src/storage/index.js";
import { freshPgDatabase, pgUrl } from "../helpers/services.js";
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
