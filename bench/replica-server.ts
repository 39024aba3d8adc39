/**
 * A replica for bench/replicas.ts: the bench agent (instant scripted model) over PostgreSQL
 * (AGENTOS_DB_URL, and Redis at AGENTOS_REDIS_URL if set) or, with a file argument, SQLite.
 * Usage: node --import tsx bench/replica-server.ts [sqlite file]   (prints LISTENING <url>)
 */
import pino from "pino";
import { Agent } from "../src/agent/index.js";
import { ScriptedModel } from "../src/model/scripted-model.js";
import { AgentOS } from "../src/os/index.js";
import { SqliteDb } from "../src/storage/index.js";

const agent = new Agent({
  id: "bench",
  name: "Bench",
  model: ScriptedModel.reply("The quick brown fox jumps over the lazy dog."),
});
const file = process.argv[2];
const os = new AgentOS({
  agents: [agent],
  ...(file ? { db: new SqliteDb({ file }) } : {}),
  logger: pino({ level: "warn" }),
});
const url = await os.serve({ port: 0, host: "127.0.0.1" });
process.stdout.write(`LISTENING ${url}\n`);
