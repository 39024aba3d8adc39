/**
 * The server the HTTP benchmarks load: an agent with an instant scripted model, SQLite persistence.
 * With BENCH_MODEL set (a model string, e.g. "openai:gpt-4o-mini" with OPENAI_BASE_URL pointing at
 * bench/fake-openai.ts), the agent uses that provider's real adapter instead.
 * Usage: node --import tsx bench/bench-server.ts <db file>   (prints LISTENING <url>)
 */
import pino from "pino";
import { Agent } from "../src/agent/index.js";
import { ScriptedModel } from "../src/model/scripted-model.js";
import { AgentOS } from "../src/os/index.js";
import { SqliteDb } from "../src/storage/index.js";

const agent = new Agent({
  id: "bench",
  name: "Bench",
  model: process.env.BENCH_MODEL || ScriptedModel.reply("The quick brown fox jumps over the lazy dog."),
});
const os = new AgentOS({
  agents: [agent],
  db: new SqliteDb({ file: process.argv[2] }),
  logger: pino({ level: "warn" }),
});
const url = await os.serve({ port: 0, host: "127.0.0.1" });
process.stdout.write(`LISTENING ${url}\n`);
