// Child of bench/import-and-start.ts: times importing the built package and starting a server.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const t0 = performance.now();
const lib = await import(new URL("../dist/src/index.js", import.meta.url).href);
const t1 = performance.now();
const { default: pino } = await import("pino");
const agent = new lib.Agent({ id: "a", name: "A", model: lib.ScriptedModel.reply("ok") });
const os = new lib.AgentOS({
  agents: [agent],
  db: new lib.SqliteDb({ file: join(mkdtempSync(join(tmpdir(), "agentos-start-")), "a.db") }),
  logger: pino({ level: "silent" }),
});
await os.serve({ port: 0, host: "127.0.0.1", handleSignals: false });
const t2 = performance.now();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, startMs: t2 - t1 }) + "\n");
await os.close();
