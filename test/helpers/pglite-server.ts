import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** An in-memory PostgreSQL (PGlite, with pgvector) behind a real PostgreSQL wire-protocol socket. */
export async function startPglite(): Promise<{ url: string; stop: () => Promise<void> }> {
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec("create extension if not exists vector");
  const server = new PGLiteSocketServer({ db, port: 0, host: "127.0.0.1", maxConnections: 20 });
  await server.start();
  const port = (server as unknown as { server: { address(): { port: number } } }).server.address().port;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
