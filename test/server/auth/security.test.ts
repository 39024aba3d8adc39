import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportSPKI, generateKeyPair } from "jose";
import pino from "pino";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../../src/agent/index.js";
import { ScriptedModel } from "../../../src/model/scripted-model.js";
import { AgentOS } from "../../../src/os/index.js";
import { SqliteDb } from "../../../src/storage/index.js";
import { testOS } from "../../helpers/test-os.js";
import type { TestOS } from "../../helpers/test-os.js";
import { TEST_SECRET, bearer, signToken, unsignedToken } from "../../helpers/jwt.js";
import type { TokenOptions } from "../../helpers/jwt.js";

const AUD = "security-suite-os";
const ISS = "https://idp.test";
const agents = () => [
  new Agent({ id: "a1", name: "A1", model: ScriptedModel.reply("one") }),
  new Agent({ id: "a2", name: "A2", model: ScriptedModel.reply("two") }),
];

/** Asserts a refusal: the status and exactly `{"detail": "<string>"}`. */
function refused(res: LightMyRequestResponse, status: number, detail?: string | RegExp): void {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(Object.keys(body)).toEqual(["detail"]);
  expect(typeof body.detail).toBe("string");
  if (typeof detail === "string") expect(body.detail).toBe(detail);
  else if (detail) expect(body.detail).toMatch(detail);
}

describe("JWT (HS256, audience and issuer configured)", () => {
  let t: TestOS;
  const token = (o: TokenOptions = {}) => signToken(TEST_SECRET, { aud: AUD, iss: ISS, ...o });
  const get = async (url: string, o?: TokenOptions | string) =>
    t.inject({
      method: "GET",
      url,
      headers: o === undefined ? {} : bearer(typeof o === "string" ? o : await token(o)),
    });
  const runAs = async (agent: string, o: TokenOptions) =>
    t.inject({
      method: "POST",
      url: `/agents/${agent}/runs`,
      payload: { message: "hi" },
      headers: bearer(await token(o)),
    });

  beforeAll(async () => {
    t = await testOS({
      agents: agents(),
      auth: { jwt: { verificationKey: TEST_SECRET, audience: AUD, issuer: ISS } },
    });
  });
  afterAll(() => t.cleanup());

  it("keeps /, /info and /health public and reports the mode", async () => {
    for (const url of ["/", "/info"]) {
      const r = await get(url);
      expect(r.statusCode).toBe(200);
      expect(r.json().auth_mode).toBe("jwt");
    }
    expect((await get("/health")).statusCode).toBe(200);
    expect((await get("/openapi.json")).statusCode).toBe(200);
  });

  it("refuses a missing token or a malformed header", async () => {
    const missing = await get("/agents");
    refused(missing, 401, "Authorization header missing");
    expect(missing.headers["www-authenticate"]).toBe("Bearer");
    const noScheme = await t.inject({
      method: "GET",
      url: "/agents",
      headers: { authorization: await token() },
    });
    refused(noScheme, 401, "Invalid authorization header: expected 'Bearer <token>'");
    refused(await t.inject({ method: "GET", url: "/agents", headers: { authorization: "Bearer" } }), 401);
    refused(await get("/agents", "not.a.jwt"), 401, /^Invalid token: /);
    refused(await get("/agents", "eyJhbGciOiJIUzI1NiJ9"), 401, /^Invalid token: /);
  });

  it("refuses a token over 8 KiB before verifying it", async () => {
    const big = await token({ scopes: ["agents:read"], extra: { pad: "x".repeat(8 * 1024) } });
    refused(await get("/agents", big), 401, "Token is too large (over 8192 bytes)");
  });

  it("refuses expired tokens and tokens not yet valid", async () => {
    refused(await get("/agents", { scopes: ["agents:read"], expiresIn: -60 }), 401, "Token has expired");
    refused(await get("/agents", { scopes: ["agents:read"], notBefore: 300 }), 401, "Token is not yet valid");
  });

  it("refuses a wrong audience or issuer", async () => {
    refused(
      await get("/agents", { scopes: ["agents:read"], aud: "another-os" }),
      401,
      "Invalid token audience - token not valid for this AgentOS instance",
    );
    refused(
      await get("/agents", { scopes: ["agents:read"], iss: "https://evil.test" }),
      401,
      "Invalid token issuer",
    );
  });

  it("refuses alg none and a token signed with another secret", async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const none = unsignedToken({ sub: "mallory", scopes: ["agent_os:admin"], aud: AUD, iss: ISS, exp });
    refused(await get("/sessions", none), 401, /^Invalid token: /);
    const forged = await signToken("a-different-secret-of-32-bytes-or-more", {
      aud: AUD,
      iss: ISS,
      scopes: ["agent_os:admin"],
    });
    refused(await get("/sessions", forged), 401, "Invalid token: signature verification failed");
  });

  it("answers 403 for a valid token without the scope, in Agno's words", async () => {
    refused(
      await get("/agents", { scopes: ["sessions:read"] }),
      403,
      "Insufficient permissions. Required scope(s): agents:read",
    );
    refused(
      await runAs("a1", { scopes: ["agents:read"] }),
      403,
      "Insufficient permissions. Required scope(s): agents:run",
    );
    refused(
      await get("/config", { scopes: ["agents:read"] }),
      403,
      "Insufficient permissions. Required scope(s): system:read",
    );
    expect((await get("/config", { scopes: ["config:read"] })).statusCode).toBe(200);
    expect((await runAs("a1", { scopes: ["agents:run"] })).statusCode).toBe(200);
  });

  it("refuses a per-id scope used on another id", async () => {
    expect((await runAs("a1", { scopes: ["agents:a1:run"] })).statusCode).toBe(200);
    refused(
      await runAs("a2", { scopes: ["agents:a1:run"] }),
      403,
      "Insufficient permissions. Required scope(s): agents:run",
    );
    expect((await get("/agents/a1", { scopes: ["agents:a1:read"] })).statusCode).toBe(200);
    refused(await get("/agents/a2", { scopes: ["agents:a1:read"] }), 403);
    expect((await runAs("a2", { scopes: ["agents:*:run"] })).statusCode).toBe(200);
  });

  it("lists only the agents the caller may read, and 403 when that is none", async () => {
    const ids = async (scopes: string[]) =>
      ((await get("/agents", { scopes })).json().agents as { id: string }[]).map((a) => a.id);
    expect(await ids(["agents:read"])).toEqual(["a1", "a2"]);
    expect(await ids(["agents:a2:read"])).toEqual(["a2"]);
    expect(await ids(["agents:a1:read", "agents:a2:read"])).toEqual(["a1", "a2"]);
    expect(await ids(["agent_os:admin"])).toEqual(["a1", "a2"]);
    refused(
      await get("/agents", { scopes: ["agents:ghost:read"] }),
      403,
      "Insufficient permissions. Required scope(s): agents:read",
    );
    refused(await get("/agents", { scopes: ["agents:a1:run"] }), 403);
    refused(
      await get("/teams", { scopes: ["agents:read"] }),
      403,
      "Insufficient permissions. Required scope(s): teams:read",
    );
    // Holding teams:read on an OS without teams is an empty list, not a refusal.
    expect((await get("/teams", { scopes: ["teams:read"] })).json()).toEqual({ teams: [] });
  });

  it("keeps every 401 and 403 body to {detail}, also for bodies sent with the request", async () => {
    const r = await t.inject({
      method: "POST",
      url: "/agents/a1/runs",
      payload: "message=hi",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    refused(r, 401, "Authorization header missing");
    const del = await t.inject({
      method: "DELETE",
      url: "/sessions/s1",
      headers: bearer(await token({ scopes: ["sessions:read"] })),
    });
    refused(del, 403, "Insufficient permissions. Required scope(s): sessions:delete");
  });

  it("documents the bearer scheme and each route's scope in OpenAPI", async () => {
    const doc = (await get("/openapi.json")).json();
    expect(doc.components.securitySchemes.bearer).toEqual({ type: "http", scheme: "bearer" });
    expect(doc.paths["/agents/{agent_id}/runs"].post["x-required-scope"]).toBe("agents:{agent_id}:run");
    expect(doc.paths["/health"].get.security).toEqual([]);
  });
});

describe("JWT (RS256 with a PEM public key)", () => {
  let t: TestOS;
  let pem: string;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  beforeAll(async () => {
    keys = await generateKeyPair("RS256");
    pem = await exportSPKI(keys.publicKey);
    t = await testOS({ agents: agents(), auth: { jwt: { verificationKey: pem, algorithm: "RS256" } } });
  });
  afterAll(() => t.cleanup());

  it("accepts RS256 tokens of the key", async () => {
    const ok = await signToken(keys.privateKey, { alg: "RS256", scopes: ["agents:read"] });
    expect((await t.inject({ method: "GET", url: "/agents", headers: bearer(ok) })).statusCode).toBe(200);
  });

  it("refuses an HS256 token signed with the RS256 public key as its secret", async () => {
    const forged = await signToken(pem, { alg: "HS256", scopes: ["agent_os:admin"] });
    refused(
      await t.inject({ method: "GET", url: "/agents", headers: bearer(forged) }),
      401,
      "Invalid token: algorithm not allowed",
    );
  });
});

describe("security key", () => {
  let t: TestOS;
  const KEY = "the-os-security-key";
  beforeAll(async () => {
    t = await testOS({ agents: agents(), auth: { securityKey: KEY } });
  });
  afterAll(() => t.cleanup());

  it("needs Bearer <key> on every non-public route", async () => {
    expect((await t.inject({ method: "GET", url: "/info" })).json().auth_mode).toBe("security_key");
    refused(await t.inject({ method: "GET", url: "/agents" }), 401, "Authorization header required");
    refused(
      await t.inject({ method: "GET", url: "/agents", headers: bearer("wrong") }),
      401,
      "Invalid authentication token",
    );
    const ok = await t.inject({ method: "GET", url: "/agents", headers: bearer(KEY) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().agents).toHaveLength(2);
  });

  it("lets the key holder act for any user (no identity of its own)", async () => {
    const r = await t.inject({
      method: "POST",
      url: "/agents/a1/runs",
      payload: { message: "hi", user_id: "someone" },
      headers: bearer(KEY),
    });
    const s = await t.inject({
      method: "GET",
      url: `/sessions/${r.json().session_id}`,
      headers: bearer(KEY),
    });
    expect(s.json().user_id).toBe("someone");
  });
});

describe("configuration from the environment", () => {
  it("selects JWT from JWT_VERIFICATION_KEY, and code settings win over the environment", async () => {
    const env = { AGENTOS_DRAIN_SECONDS: "1", JWT_VERIFICATION_KEY: TEST_SECRET, JWT_AUDIENCE: "env-aud" };
    const fromEnv = await testOS({ agents: agents(), env });
    try {
      expect((await fromEnv.inject({ method: "GET", url: "/" })).json().auth_mode).toBe("jwt");
      const envToken = await signToken(TEST_SECRET, { aud: "env-aud", scopes: ["agents:read"] });
      expect(
        (await fromEnv.inject({ method: "GET", url: "/agents", headers: bearer(envToken) })).statusCode,
      ).toBe(200);
    } finally {
      await fromEnv.cleanup();
    }
    const overridden = await testOS({ agents: agents(), env, auth: { jwt: { audience: "code-aud" } } });
    try {
      const envToken = await signToken(TEST_SECRET, { aud: "env-aud", scopes: ["agents:read"] });
      const codeToken = await signToken(TEST_SECRET, { aud: "code-aud", scopes: ["agents:read"] });
      refused(await overridden.inject({ method: "GET", url: "/agents", headers: bearer(envToken) }), 401);
      expect(
        (await overridden.inject({ method: "GET", url: "/agents", headers: bearer(codeToken) })).statusCode,
      ).toBe(200);
    } finally {
      await overridden.cleanup();
    }
  });

  it("fails the start on a bad key configuration, not the first request", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agentos-badkey-"));
    const os = new AgentOS({
      agents: agents(),
      db: new SqliteDb({ file: join(dir, "a.db") }),
      logger: pino({ level: "silent" }),
      env: { JWT_VERIFICATION_KEY: "too-short" },
    });
    try {
      await expect(os.start()).rejects.toThrow(/at least 32 bytes/);
    } finally {
      await os.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
