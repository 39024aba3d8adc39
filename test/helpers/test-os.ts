import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import pino from "pino";
import { AgentOS } from "../../src/os/index.js";
import type { AgentOSOptions } from "../../src/os/index.js";
import { SqliteDb } from "../../src/storage/index.js";

export interface TestOS {
  os: AgentOS;
  db: SqliteDb;
  dir: string;
  /** An in-process request (no socket). */
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
  /** Starts listening on a free loopback port; resolves with the base URL. */
  listen(): Promise<string>;
  cleanup(): Promise<void>;
}

/** An AgentOS over a real SQLite file in a temp dir, quiet logs, no env influence. */
export async function testOS(options: AgentOSOptions = {}, file?: string): Promise<TestOS> {
  const dir = mkdtempSync(join(tmpdir(), "agentos-os-"));
  const db = new SqliteDb({ file: file ?? join(dir, "agentos.db") });
  const os = new AgentOS({
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    env: { AGENTOS_DRAIN_SECONDS: "1" },
    db,
    ...options,
  });
  await os.start();
  return {
    os,
    db,
    dir,
    inject: async (opts) => (await os.app()).inject(opts),
    listen: async () => (await os.app()).listen({ port: 0, host: "127.0.0.1" }),
    cleanup: async () => {
      await os.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
