import { mkdirSync, rmSync } from "node:fs";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/index.js";
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
});
