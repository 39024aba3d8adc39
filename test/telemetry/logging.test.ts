import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/index.js";
import { redactUrl } from "../../src/telemetry/logging/index.js";
import { testOS } from "../helpers/test-os.js";

/** A pino logger writing JSON lines into an array. */
function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { logger: pino({ level }, out), lines, raw };
}

describe("logs", () => {
  it("are JSON lines with request, run, session and user ids; no message content or credentials at info", async () => {
    const { logger, lines, raw } = capture("info");
    const t = await testOS({
      agents: [new Agent({ id: "a", name: "A", model: ScriptedModel.reply("SECRET-ANSWER") })],
      logger,
    });
    try {
      const res = await t.inject({
        method: "POST",
        url: "/agents/a/runs?token=TOP-SECRET-TOKEN",
        payload: { message: "SECRET-QUESTION", user_id: "u1" },
      });
      expect(res.statusCode).toBe(200);
      const { run_id, session_id } = res.json();
      const reqId = res.headers["x-request-id"];
      const incoming = lines.find((l) => l.msg === "incoming request")!;
      expect(incoming.reqId).toBe(reqId);
      expect((incoming.req as { url: string }).url).toBe("/agents/a/runs?token=[redacted]");
      const started = lines.find((l) => l.msg === "run started")!;
      expect(started).toMatchObject({
        reqId,
        run_id,
        session_id,
        user_id: "u1",
        component_id: "a",
        level: 30,
      });
      const ended = lines.find((l) => l.msg === "run ended")!;
      expect(ended).toMatchObject({ reqId, run_id, session_id, user_id: "u1", status: "COMPLETED" });
      expect(typeof ended.duration_ms).toBe("number");
      const all = raw.join("\n");
      expect(all).not.toContain("SECRET-QUESTION");
      expect(all).not.toContain("SECRET-ANSWER");
      expect(all).not.toContain("TOP-SECRET-TOKEN");
    } finally {
      await t.cleanup();
    }
  });

  it("LOG_LEVEL sets the level of the OS's own logger", async () => {
    const t = await testOS({ logger: undefined, env: { LOG_LEVEL: "error", AGENTOS_DRAIN_SECONDS: "1" } });
    try {
      expect(t.os.logger.level).toBe("error");
    } finally {
      await t.cleanup();
    }
  });

  it("redacts credential query parameters and nothing else", () => {
    expect(redactUrl("/ws/agents/a?token=abc.def&x=1")).toBe("/ws/agents/a?token=[redacted]&x=1");
    expect(redactUrl("/x?a=1&api_key=k")).toBe("/x?a=1&api_key=[redacted]");
    expect(redactUrl("/sessions?user_id=tokenish")).toBe("/sessions?user_id=tokenish");
  });
});
