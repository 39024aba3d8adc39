import { describe, expect, it } from "vitest";
import { AgentOS, readEnvConfig } from "../../src/os/index.js";

describe("environment configuration", () => {
  it("has the documented defaults", () => {
    expect(readEnvConfig({})).toMatchObject({
      port: 7777,
      host: "localhost",
      dbFile: "agentos.db",
      dbUrl: undefined,
      logLevel: "info",
      maxFileBytes: 10 * 1024 * 1024,
      maxRequestBytes: 50 * 1024 * 1024,
      keepAliveMs: 15_000,
      docs: true,
      drainSeconds: 30,
      eventRetentionHours: 24,
      idempotencyKeyHours: 24,
    });
  });

  it("refuses malformed values with the variable's name", () => {
    expect(() => readEnvConfig({ PORT: "http" })).toThrow(/PORT must be an integer/);
    expect(() => readEnvConfig({ AGENTOS_DOCS: "maybe" })).toThrow(/AGENTOS_DOCS must be true or false/);
    expect(() => readEnvConfig({ AGENTOS_DB_URL: "mysql://root:secret@db/x" })).toThrow(
      /AGENTOS_DB_URL must be a postgres:\/\/ URL, got 'mysql:\/\/…@db\/x'/,
    );
  });

  it("chooses PostgreSQL when AGENTOS_DB_URL is set, SQLite otherwise, without connecting", () => {
    expect(new AgentOS({ env: { AGENTOS_DB_URL: "postgres://u@127.0.0.1:1/none" } }).store.dialect).toBe(
      "postgres",
    );
    expect(new AgentOS({ env: {} }).store.dialect).toBe("sqlite");
  });
});
