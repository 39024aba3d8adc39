import { PostgresDb } from "../../src/storage/index.js";
import { startPglite } from "../helpers/pglite-server.js";
import { migrationContract } from "./migration-contract.js";
import { storeContract } from "./store-contract.js";

storeContract("PGlite (PostgreSQL with pgvector, over the wire protocol)", async () => {
  const server = await startPglite();
  // PGlite runs one query at a time; a single connection keeps its transactions simple.
  const store = new PostgresDb({ url: server.url, maxConnections: 1 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await server.stop();
    },
  };
});

migrationContract("PGlite", async () => {
  const server = await startPglite();
  const store = new PostgresDb({ url: server.url, maxConnections: 1 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await server.stop();
    },
  };
});
