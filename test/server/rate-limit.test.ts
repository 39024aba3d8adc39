import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { AgentOS } from "../../src/os/index.js";
import { MemoryRateLimitCounter, parseRateLimit } from "../../src/server/rate-limit/index.js";
import type { RateLimitCounter } from "../../src/server/rate-limit/index.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";
import { TEST_SECRET, bearer, signToken } from "../helpers/jwt.js";

const agents = () => [new Agent({ id: "a", name: "A", model: ScriptedModel.reply("ok") })];

describe("parseRateLimit", () => {
  it("reads N/second, N/minute and N/hour", () => {
    expect(parseRateLimit("60/minute")).toEqual({ limit: 60, windowMs: 60_000 });
    expect(parseRateLimit("5/second")).toEqual({ limit: 5, windowMs: 1_000 });
    expect(parseRateLimit(" 1000 / Hour ")).toEqual({ limit: 1000, windowMs: 3_600_000 });
  });

  it("refuses anything else", () => {
    for (const bad of ["60", "60/day", "0/minute", "-1/minute", "x/minute", "60/minutes", ""])
      expect(() => parseRateLimit(bad), bad).toThrow(/AGENTOS_RATE_LIMIT must look like '60\/minute'/);
  });
});

describe("MemoryRateLimitCounter", () => {
  it("counts per key in fixed windows and forgets expired ones", () => {
    let now = 1_000_000;
    const c = new MemoryRateLimitCounter(() => now);
    expect(c.hit("a", 1000)).toEqual({ count: 1, resetAt: 1_001_000 });
    expect(c.hit("a", 1000).count).toBe(2);
    expect(c.hit("b", 1000).count).toBe(1);
    now += 999;
    expect(c.hit("a", 1000).count).toBe(3);
    now += 1;
    expect(c.hit("a", 1000)).toEqual({ count: 1, resetAt: now + 1000 });
    expect(c.size, "b's window ended and was swept").toBe(1);
    c.hit("d", 1000);
    expect(c.size).toBe(2);
    now += 5000;
    c.hit("c", 1000);
    expect(c.size, "a and d were swept").toBe(1);
  });
});

describe("rate limiting over HTTP (3/minute, JWT)", () => {
  let t: TestOS;
  const counted: string[] = [];
  beforeAll(async () => {
    const memory = new MemoryRateLimitCounter();
    // A counter of our own, as a Redis one would be: the OS uses whatever it is given.
    const counter: RateLimitCounter = {
      hit: (key, windowMs) => {
        counted.push(key);
        return memory.hit(key, windowMs);
      },
    };
    t = await testOS({
      agents: agents(),
      auth: { jwt: { verificationKey: TEST_SECRET } },
      rateLimit: "3/minute",
      rateLimitCounter: counter,
    });
  });
  afterAll(() => t.cleanup());

  const as = async (sub: string, opts: Partial<InjectOptions> = {}) =>
    t.inject({
      method: "GET",
      url: "/agents",
      ...opts,
      headers: { ...bearer(await signToken(TEST_SECRET, { sub, scopes: ["agents:read"] })), ...opts.headers },
    });

  it("limits each user, answering 429 with Retry-After and {detail}", async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await as("alice");
      expect(r.statusCode).toBe(200);
      expect(r.headers["x-ratelimit-limit"]).toBe("3");
      remaining.push(String(r.headers["x-ratelimit-remaining"]));
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await as("alice", { headers: { origin: "http://localhost:3000" } });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ detail: "Rate limit exceeded; try again later" });
    const retry = Number(limited.headers["retry-after"]);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(limited.headers["access-control-allow-origin"]).toBe("http://localhost:3000");
    // The same address, another user: a bucket of its own.
    expect((await as("bob")).statusCode).toBe(200);
    expect(counted).toContain("user:alice");
    expect(counted).toContain("user:bob");
  });

  it("limits callers without a valid credential per address, so guessing tokens is limited too", async () => {
    const anon = (remoteAddress: string) => t.inject({ method: "GET", url: "/agents", remoteAddress });
    for (let i = 0; i < 3; i++) expect((await anon("10.0.0.1")).statusCode).toBe(401);
    const limited = await anon("10.0.0.1");
    expect(limited.statusCode).toBe(429);
    expect(limited.json().detail).toBe("Rate limit exceeded; try again later");
    expect((await anon("10.0.0.2")).statusCode).toBe(401);
    // Public routes other than health and docs count against the address as well.
    expect((await t.inject({ method: "GET", url: "/info", remoteAddress: "10.0.0.1" })).statusCode).toBe(429);
  });

  it("never limits /health, /openapi.json or /docs", async () => {
    for (let i = 0; i < 3; i++) await t.inject({ method: "GET", url: "/agents", remoteAddress: "10.0.0.9" });
    for (const url of ["/health", "/openapi.json", "/docs"]) {
      for (let i = 0; i < 5; i++) {
        const r = await t.inject({ method: "GET", url, remoteAddress: "10.0.0.9" });
        expect(r.statusCode, url).not.toBe(429);
      }
    }
    expect(counted.filter((k) => k === "ip:10.0.0.9")).toHaveLength(3);
  });
});

describe("rate limit configuration", () => {
  it("is off by default, on with AGENTOS_RATE_LIMIT, and off again with rateLimit: false", async () => {
    const hits = async (options: ConstructorParameters<typeof AgentOS>[0]) => {
      const t = await testOS({ agents: agents(), ...options });
      try {
        const codes: number[] = [];
        for (let i = 0; i < 3; i++)
          codes.push((await t.inject({ method: "GET", url: "/agents" })).statusCode);
        return codes;
      } finally {
        await t.cleanup();
      }
    };
    // A minute's window: three quick requests fall in it however loaded the machine is.
    const env = { AGENTOS_DRAIN_SECONDS: "1", AGENTOS_RATE_LIMIT: "2/minute" };
    expect(await hits({})).toEqual([200, 200, 200]);
    expect(await hits({ env })).toEqual([200, 200, 429]);
    expect(await hits({ env, rateLimit: false })).toEqual([200, 200, 200]);
    expect(await hits({ rateLimit: { limit: 1, windowMs: 60_000 } })).toEqual([200, 429, 429]);
  });

  it("takes the client address from X-Forwarded-For only behind a trusted proxy", async () => {
    const codes = async (trustProxy: boolean) => {
      const t = await testOS({ agents: agents(), rateLimit: "1/minute", trustProxy });
      try {
        const get = (ip: string) =>
          t
            .inject({ method: "GET", url: "/agents", headers: { "x-forwarded-for": ip } })
            .then((r) => r.statusCode);
        return [await get("1.1.1.1"), await get("1.1.1.1"), await get("2.2.2.2")];
      } finally {
        await t.cleanup();
      }
    };
    expect(await codes(true)).toEqual([200, 429, 200]);
    expect(await codes(false)).toEqual([200, 429, 429]);
  });

  it("refuses a malformed AGENTOS_RATE_LIMIT at construction", () => {
    expect(() => new AgentOS({ env: { AGENTOS_RATE_LIMIT: "lots" } })).toThrow(/AGENTOS_RATE_LIMIT/);
  });
});
