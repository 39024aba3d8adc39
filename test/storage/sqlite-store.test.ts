import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteDb } from "../../src/storage/index.js";
import type { SqlStore } from "../../src/storage/sql/index.js";
import { tempSqlite } from "../helpers/temp-store.js";
import { migrationContract } from "./migration-contract.js";
import { storeContract } from "./store-contract.js";

storeContract("SQLite file", async () => {
  const t = await tempSqlite();
  return { store: t.db, cleanup: t.cleanup };
});

describe("SqliteDb", () => {
  it("opens nothing until first use, and closing an unused store loads nothing", async () => {
    const db = new SqliteDb({ file: "/nonexistent-dir-for-test/never/created.db" });
    expect(db.id).toBe("agentos-db");
    expect(db.dialect).toBe("sqlite");
    await db.close();
  });

  it("uses WAL, a busy timeout and foreign keys", async () => {
    const t = await tempSqlite();
    try {
      const { sql } = await import("kysely");
      const kysely = ((await t.db.impl()) as SqlStore).kysely;
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(kysely);
      expect(mode.rows[0].journal_mode).toBe("wal");
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(kysely);
      expect(fk.rows[0].foreign_keys).toBe(1);
      const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(kysely);
      expect(busy.rows[0].timeout).toBe(5000);
    } finally {
      await t.cleanup();
    }
  });
});

migrationContract("SQLite file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "agentos-migrate-"));
  const store = new SqliteDb({ file: join(dir, "agentos.db") });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
