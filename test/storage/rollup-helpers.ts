import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteDb } from "../../src/storage/index.js";

/** A SQLite file in a temp dir, not migrated (for migration tests). */
export async function tempSqliteUnmigrated(): Promise<{ db: SqliteDb; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "agentos-test-"));
  const db = new SqliteDb({ file: join(dir, "agentos.db") });
  return {
    db,
    cleanup: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
