import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * The PostgreSQL URL for tests, or undefined (with a printed reason) when none is configured.
 * With AGENTOS_TEST_REQUIRE_SERVICES set (CI), a missing service is an error, never a skip.
 */
export function pgUrl(): string | undefined {
  const url = process.env.AGENTOS_TEST_PG_URL;
  if (url) return url;
  if (process.env.AGENTOS_TEST_REQUIRE_SERVICES)
    throw new Error("AGENTOS_TEST_PG_URL is required (AGENTOS_TEST_REQUIRE_SERVICES is set)");
  console.warn("skipping PostgreSQL tests: AGENTOS_TEST_PG_URL is not set");
  return undefined;
}

export function redisUrl(): string | undefined {
  const url = process.env.AGENTOS_TEST_REDIS_URL;
  if (url) return url;
  if (process.env.AGENTOS_TEST_REQUIRE_SERVICES)
    throw new Error("AGENTOS_TEST_REDIS_URL is required (AGENTOS_TEST_REQUIRE_SERVICES is set)");
  console.warn("skipping Redis tests: AGENTOS_TEST_REDIS_URL is not set");
  return undefined;
}

/** A fresh database on the test server; `drop` removes it. */
export async function freshPgDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `agentos_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
