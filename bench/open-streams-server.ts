/**
 * The server of the open-streams benchmark: an agent whose scripted model sends one word and then
 * waits two minutes, so that every stream stays open. Answers `"memory"` IPC messages with its
 * memory after a full GC. Usage: node --expose-gc --import tsx bench/open-streams-server.ts <db file>
 */
import pino from "pino";
import { Agent } from "../src/agent/index.js";
import { ScriptedModel } from "../src/model/scripted-model.js";
import { AgentOS } from "../src/os/index.js";
import { SqliteDb } from "../src/storage/index.js";

const agent = new Agent({
  id: "bench",
  name: "Bench",
  model: new ScriptedModel({ fallback: [{ text: "hello " }, { delayMs: 120_000 }, { text: "bye" }] }),
});
const os = new AgentOS({
  agents: [agent],
  db: new SqliteDb({ file: process.argv[2] }),
  logger: pino({ level: "warn" }),
});
const url = await os.serve({ port: 0, host: "127.0.0.1", handleSignals: false });

const gc = (globalThis as { gc?: () => void }).gc;
process.on("message", (msg) => {
  if (msg !== "memory") return;
  for (let i = 0; i < 3; i++) gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  process.send?.({ rss, heapUsed, liveRuns: os.runs.size });
});
process.stdout.write(`LISTENING ${url}\n`);
