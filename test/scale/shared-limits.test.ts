import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { AgentOS } from "../../src/os/index.js";
import { RedisRunBus } from "../../src/runtime/redis/index.js";
import { redisUrl } from "../helpers/services.js";
import { tempSqlite } from "../helpers/temp-store.js";

const url = redisUrl();

describe.skipIf(!url)("rate limits shared by replicas through Redis", () => {
  const prefix = `agentos-test-${randomBytes(4).toString("hex")}`;
  const oses: AgentOS[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    for (const replicaId of ["A", "B"]) {
      const t = await tempSqlite();
      cleanups.push(t.cleanup);
      oses.push(
        new AgentOS({
          agents: [new Agent({ id: "a", name: "A", model: ScriptedModel.reply("ok") })],
          db: t.db,
          bus: new RedisRunBus({ url: url!, prefix, replicaId }),
          rateLimit: "3/minute",
          logger: pino({ level: "silent" }),
          env: {},
        }),
      );
    }
  });
  afterAll(async () => {
    for (const os of oses) await os.close();
    for (const c of cleanups) await c();
  });

  it("counts a caller's requests on every replica against one limit", async () => {
    const [a, b] = await Promise.all(oses.map((os) => os.app()));
    const statuses: number[] = [];
    for (const app of [a, b, a, b])
      statuses.push((await app.inject({ method: "GET", url: "/agents" })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const again = await a.inject({ method: "GET", url: "/agents" });
    expect(again.statusCode).toBe(429);
    expect(Number(again.headers["retry-after"])).toBeGreaterThan(50);
  });

  it("constructing an OS with a Redis bus connects nothing; starting does", async () => {
    const t = await tempSqlite();
    const bus = new RedisRunBus({ url: "redis://127.0.0.1:1", prefix, replicaId: "C" });
    const os = new AgentOS({ agents: [], bus, logger: pino({ level: "silent" }), env: {}, db: t.db });
    await expect(bus.ping()).rejects.toThrow(/not connected/);
    await expect(os.start()).rejects.toThrow();
    await bus.close();
    await t.cleanup();
  });
});
