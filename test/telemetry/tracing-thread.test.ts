import { mkdirSync, rmSync } from "node:fs";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/index.js";
import { SqliteDb } from "../../src/storage/index.js";
import { RunSpans } from "../../src/telemetry/tracing/run-spans.js";
import { Tracing } from "../../src/telemetry/tracing/index.js";
import { tempSqlite } from "../helpers/temp-store.js";
import { testOS } from "../helpers/test-os.js";

const agent = new Agent({ id: "a", name: "A", model: ScriptedModel.reply("ok") });

describe("the tracing thread", () => {
  it("warns through the OS's logger when it cannot store spans; runs go on", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (l: string) => void lines.push(l) });
    const t = await testOS({ agents: [agent], logger });
    try {
      // The thread opens the trace file with the first spans it stores: it is a folder by then.
      const file = t.db.tracesFile!;
      for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      mkdirSync(file);
      const res = await t.inject({ method: "POST", url: "/agents/a/runs", payload: { message: "hi" } });
      expect(res.statusCode).toBe(200);
      expect(res.json().content).toBe("ok");
      await t.os.tracing.flush();
      const warning = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "could not store spans");
      expect(warning).toMatchObject({ level: 40, spans: 2, err: { message: expect.any(String) } });
    } finally {
      await t.cleanup();
    }
  });

  it("runs only for a store with a trace file, and not when told to stay on the serving thread", async () => {
    const file = await tempSqlite();
    const memory = new SqliteDb({ file: ":memory:" });
    const run = {
      runId: "r",
      sessionId: "s",
      userId: null,
      kind: "agent" as const,
      componentId: "a",
      componentName: "A",
      continued: false,
    };
    try {
      const cases = [
        [file.db, {}, false],
        [file.db, { thread: false }, true],
        [memory, {}, true],
      ] as const;
      for (const [db, settings, inThread] of cases) {
        const tracing = new Tracing({ enabled: true, ...settings }, db);
        await tracing.start("test");
        expect(tracing.runStarted(run) instanceof RunSpans).toBe(inThread);
        await tracing.shutdown();
      }
    } finally {
      await memory.close();
      await file.cleanup();
    }
  });
});
