import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { AgentOS } from "../../src/os/index.js";
import type { Runnable } from "../../src/run/index.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";
import { TEST_SECRET, bearer, signToken } from "../helpers/jwt.js";
import { sse } from "../helpers/sse-client.js";

const UI = "http://localhost:3000";
const agents = () => [
  new Agent({
    id: "echo",
    name: "Echo",
    model: new ScriptedModel({ fallback: [{ text: "a " }, { text: "b" }] }),
  }),
];

function allowsOrigin(
  res: LightMyRequestResponse | { headers: Record<string, unknown> },
  origin: string,
): void {
  expect(res.headers["access-control-allow-origin"]).toBe(origin);
  expect(res.headers["access-control-allow-credentials"]).toBe("true");
  expect(String(res.headers.vary)).toMatch(/origin/i);
}

describe("CORS with the default allow-list", () => {
  let t: TestOS;
  beforeAll(async () => {
    t = await testOS({ agents: agents(), auth: { jwt: { verificationKey: TEST_SECRET } } });
  });
  afterAll(() => t.cleanup());

  it("answers a preflight without credentials", async () => {
    const res = await t.inject({
      method: "OPTIONS",
      url: "/agents/echo/runs",
      headers: {
        origin: UI,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(res.statusCode).toBe(204);
    allowsOrigin(res, UI);
    expect(res.headers["access-control-allow-methods"]).toContain("POST");
    expect(res.headers["access-control-allow-methods"]).toContain("PATCH");
    expect(res.headers["access-control-allow-headers"]).toBe("authorization,content-type");
    expect(res.headers["access-control-max-age"]).toBe("600");
  });

  it("answers a bare OPTIONS with an empty 204, not an error page", async () => {
    const res = await t.inject({ method: "OPTIONS", url: "/sessions" });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
  });

  it("does not allow an origin off the list", async () => {
    for (const method of ["OPTIONS", "GET"] as const) {
      const res = await t.inject({
        method,
        url: "/health",
        headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
      });
      expect(res.headers["access-control-allow-origin"], method).toBeUndefined();
    }
  });

  it("puts CORS headers on 401, 403 and 404 answers too, and exposes the request id", async () => {
    const no = await t.inject({ method: "GET", url: "/agents", headers: { origin: UI } });
    expect(no.statusCode).toBe(401);
    allowsOrigin(no, UI);
    expect(no.headers["access-control-expose-headers"]).toContain("x-request-id");
    expect(no.headers["access-control-expose-headers"]).toContain("retry-after");
    expect(no.headers["access-control-expose-headers"]).toContain("www-authenticate");

    const token = await signToken(TEST_SECRET, { scopes: ["sessions:read"] });
    const forbidden = await t.inject({
      method: "GET",
      url: "/agents",
      headers: { origin: UI, ...bearer(token) },
    });
    expect(forbidden.statusCode).toBe(403);
    allowsOrigin(forbidden, UI);

    const unknownRoute = await t.inject({ method: "GET", url: "/nope", headers: { origin: UI } });
    expect(unknownRoute.statusCode).toBe(404);
    allowsOrigin(unknownRoute, UI);

    const reader = await signToken(TEST_SECRET, { scopes: ["agents:read"] });
    const unknownId = await t.inject({
      method: "GET",
      url: "/agents/ghost",
      headers: { origin: UI, ...bearer(reader) },
    });
    expect(unknownId.statusCode).toBe(404);
    allowsOrigin(unknownId, UI);
  });

  it("keeps the CORS headers on an SSE stream", async () => {
    const base = await t.listen();
    const token = await signToken(TEST_SECRET, { scopes: ["agents:run"] });
    const stream = await sse(`${base}/agents/echo/runs`, {
      method: "POST",
      body: JSON.stringify({ message: "hi", stream: true }),
      headers: { "content-type": "application/json", origin: UI, ...bearer(token) },
    });
    await stream.done;
    expect(stream.status).toBe(200);
    expect(stream.headers["content-type"]).toMatch(/^text\/event-stream/);
    allowsOrigin(stream, UI);
    expect(stream.events.at(-1)?.event).toBe("RunCompleted");
  });
});

describe("CORS with a configured list", () => {
  it("reads AGENTOS_CORS_ORIGINS: the default origin plus the listed ones, trailing slashes forgiven", async () => {
    const t = await testOS({
      agents: agents(),
      env: { AGENTOS_DRAIN_SECONDS: "1", AGENTOS_CORS_ORIGINS: "https://a.example, https://b.example:8443/" },
    });
    try {
      for (const origin of ["https://a.example", "https://b.example:8443"]) {
        allowsOrigin(await t.inject({ method: "GET", url: "/health", headers: { origin } }), origin);
      }
      allowsOrigin(await t.inject({ method: "GET", url: "/health", headers: { origin: UI } }), UI);
      const other = await t.inject({
        method: "GET",
        url: "/health",
        headers: { origin: "https://evil.example" },
      });
      expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    } finally {
      await t.cleanup();
    }
  });

  it("never combines * with credentials", async () => {
    const t = await testOS({ agents: agents(), corsOrigins: ["*"] });
    try {
      const get = await t.inject({
        method: "GET",
        url: "/health",
        headers: { origin: "https://any.example" },
      });
      expect(get.headers["access-control-allow-origin"]).toBe("*");
      expect(get.headers["access-control-allow-credentials"]).toBeUndefined();
      const pre = await t.inject({
        method: "OPTIONS",
        url: "/agents",
        headers: { origin: "https://any.example", "access-control-request-method": "GET" },
      });
      expect(pre.headers["access-control-allow-origin"]).toBe("*");
      expect(pre.headers["access-control-allow-credentials"]).toBeUndefined();
    } finally {
      await t.cleanup();
    }
  });

  it("refuses entries that are not origins, at construction", () => {
    for (const bad of ["localhost:3000", "https://a.example/path", "not a url"]) {
      expect(() => new AgentOS({ env: { AGENTOS_CORS_ORIGINS: bad } }), bad).toThrow(/AGENTOS_CORS_ORIGINS/);
    }
  });
});

describe("CORS on a 500", () => {
  it("carries the headers on an internal error too", async () => {
    const echo = agents()[0];
    // A component whose description fails: a bug in user code, answered as a 500.
    const broken: Runnable = {
      kind: "agent",
      id: "broken",
      name: "Broken",
      runPolicy: echo.runPolicy,
      run: (input, options) => echo.run(input, options),
      info: () => {
        throw new Error("bug in info()");
      },
    };
    const t = await testOS({ agents: [broken], availableModels: [] });
    try {
      const res = await t.inject({ method: "GET", url: "/agents/broken", headers: { origin: UI } });
      expect(res.statusCode).toBe(500);
      expect(res.json().detail).toBe("Internal Server Error");
      allowsOrigin(res, UI);
    } finally {
      await t.cleanup();
    }
  });
});
