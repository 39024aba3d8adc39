import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteDb } from "../../src/storage/index.js";
import type { SqlStore } from "../../src/storage/sql/index.js";

/** A real SQLite file in a fresh temp dir; `cleanup` closes it and removes the dir. */
export async function tempSqlite(): Promise<{
  db: SqliteDb;
  dir: string;
  file: string;
  cleanup: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), "agentos-test-"));
  const file = join(dir, "agentos.db");
  const db = new SqliteDb({ file });
  await db.migrate();
  return {
    db,
    dir,
    file,
    cleanup: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Kysely instance behind a (lazy) store, for tests that must reach under the Store seam. */
export async function kyselyOf(db: { impl(): Promise<unknown> }): Promise<SqlStore["kysely"]> {
  return ((await db.impl()) as SqlStore).kysely;
}
