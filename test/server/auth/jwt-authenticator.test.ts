import { generateKeyPairSync } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair } from "jose";
import type { CryptoKey, GenerateKeyPairResult, JWK } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { JwtSettings } from "../../../src/server/auth/index.js";
import { JwtAuthenticator } from "../../../src/server/auth/jwt-authenticator.js";
import { loadJwtKeys } from "../../../src/server/auth/jwt-keys.js";
import { VerifiedTokens } from "../../../src/server/auth/verified-tokens.js";
import { TEST_SECRET, signToken, unsignedToken } from "../../helpers/jwt.js";

const jwt = async (settings: JwtSettings) => new JwtAuthenticator(await loadJwtKeys(settings), settings);

/** Resolves with the 401 message, or fails when the token is accepted. */
async function refusal(auth: JwtAuthenticator, token: string | undefined): Promise<string> {
  const err = await auth.authenticateToken(token).then(
    () => undefined,
    (e: { status?: number; message: string }) => e,
  );
  expect(err, "the token is refused").toBeDefined();
  expect(err!.status).toBe(401);
  return err!.message;
}

let rsa: GenerateKeyPairResult;
let ec: GenerateKeyPairResult;
let rsaPem: string;
let ecPem: string;
beforeAll(async () => {
  rsa = await generateKeyPair("RS256", { extractable: true });
  ec = await generateKeyPair("ES256");
  rsaPem = await exportSPKI(rsa.publicKey);
  ecPem = await exportSPKI(ec.publicKey);
});

describe("HS256 with a secret", () => {
  let auth: JwtAuthenticator;
  beforeAll(async () => {
    auth = await jwt({ verificationKey: TEST_SECRET });
  });

  it("accepts a valid token: the subject is the user, scopes from an array or a string", async () => {
    const p = await auth.authenticateToken(
      await signToken(TEST_SECRET, { sub: "alice", scopes: ["agents:run"] }),
    );
    expect(p).toMatchObject({ mode: "jwt", userId: "alice", admin: false });
    expect([...p.scopes]).toEqual(["agents:run"]);
    const q = await auth.authenticateToken(
      await signToken(TEST_SECRET, { scopes: "agents:read  sessions:read" }),
    );
    expect([...q.scopes]).toEqual(["agents:read", "sessions:read"]);
    const none = await auth.authenticateToken(await signToken(TEST_SECRET, {}));
    expect(none.scopes.size).toBe(0);
  });

  it("makes a holder of agent_os:admin an admin", async () => {
    const p = await auth.authenticateToken(await signToken(TEST_SECRET, { scopes: ["agent_os:admin"] }));
    expect(p.admin).toBe(true);
  });

  it("authenticates the Authorization header as Bearer", async () => {
    const token = await signToken(TEST_SECRET, { sub: "bob" });
    expect((await auth.authenticate({ headers: { authorization: `Bearer ${token}` } })).userId).toBe("bob");
    expect((await auth.authenticate({ headers: { authorization: `bearer ${token}` } })).userId).toBe("bob");
    await expect(auth.authenticate({ headers: {} })).rejects.toMatchObject({
      status: 401,
      message: "Authorization header missing",
    });
    await expect(auth.authenticate({ headers: { authorization: token } })).rejects.toMatchObject({
      status: 401,
      message: "Invalid authorization header: expected 'Bearer <token>'",
    });
    await expect(auth.authenticate({ headers: { authorization: `Basic ${token}` } })).rejects.toMatchObject({
      status: 401,
    });
  });

  it("refuses missing, malformed and oversized tokens", async () => {
    expect(await refusal(auth, undefined)).toBe("Authentication token required");
    expect(await refusal(auth, "")).toBe("Authentication token required");
    expect(await refusal(auth, "not-a-token")).toMatch(/^Invalid token: /);
    expect(await refusal(auth, "a.b.c")).toMatch(/^Invalid token: /);
    const big = await signToken(TEST_SECRET, { extra: { pad: "x".repeat(9000) } });
    expect(await refusal(auth, big)).toBe("Token is too large (over 8192 bytes)");
  });

  it("enforces exp (with a 10 s leeway) and requires it", async () => {
    expect(await refusal(auth, await signToken(TEST_SECRET, { expiresIn: -60 }))).toBe("Token has expired");
    await expect(
      auth.authenticateToken(await signToken(TEST_SECRET, { expiresIn: -3 })),
    ).resolves.toBeDefined();
    expect(await refusal(auth, await signToken(TEST_SECRET, { expiresIn: null }))).toBe(
      "Invalid token: missing required 'exp' claim",
    );
  });

  it("honours nbf with the same leeway", async () => {
    expect(await refusal(auth, await signToken(TEST_SECRET, { notBefore: 120 }))).toBe(
      "Token is not yet valid",
    );
    await expect(
      auth.authenticateToken(await signToken(TEST_SECRET, { notBefore: 3 })),
    ).resolves.toBeDefined();
  });

  it("refuses a wrong signature, alg none, and a token of another algorithm", async () => {
    expect(await refusal(auth, await signToken("another-secret-that-is-32-bytes-long!!"))).toBe(
      "Invalid token: signature verification failed",
    );
    const exp = Math.floor(Date.now() / 1000) + 600;
    expect(await refusal(auth, unsignedToken({ sub: "mallory", scopes: ["agent_os:admin"], exp }))).toMatch(
      /^Invalid token: /,
    );
    expect(await refusal(auth, await signToken(rsa.privateKey, { alg: "RS256" }))).toBe(
      "Invalid token: algorithm not allowed",
    );
  });

  it("requires a user id and well-formed scopes", async () => {
    expect(await refusal(auth, await signToken(TEST_SECRET, { sub: null }))).toBe(
      "Invalid token: the 'sub' claim must be a non-empty string",
    );
    expect(await refusal(auth, await signToken(TEST_SECRET, { sub: "" }))).toMatch(/'sub' claim/);
    expect(await refusal(auth, await signToken(TEST_SECRET, { extra: { scopes: 7 } }))).toBe(
      "Invalid token: the 'scopes' claim must be an array of strings or a space-separated string",
    );
    expect(await refusal(auth, await signToken(TEST_SECRET, { extra: { scopes: ["a:read", 1] } }))).toMatch(
      /'scopes' claim/,
    );
  });
});

describe("verified-token cache", () => {
  it("stops accepting a reused token once it expires", async () => {
    const auth = await jwt({ verificationKey: TEST_SECRET });
    const token = await signToken(TEST_SECRET, { expiresIn: 30 });
    expect((await auth.authenticateToken(token)).userId).toBe("alice");
    expect((await auth.authenticateToken(token)).userId).toBe("alice");
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 45_000 });
    try {
      expect(await refusal(auth, token)).toBe("Token has expired");
    } finally {
      vi.useRealTimers();
    }
  });

  it("is bounded in entries, age and token size, and never outlives exp", () => {
    let now = 1_000_000;
    const p = { mode: "jwt", userId: "u", scopes: new Set<string>(), admin: false } as const;
    const cache = new VerifiedTokens(2, 60_000, 100, () => now);
    const exp = now / 1000 + 3600;
    cache.set("a", p, exp);
    cache.set("b", p, exp);
    cache.set("c", p, exp);
    expect(cache.size).toBe(2);
    expect(cache.get("a"), "the oldest was evicted").toBeUndefined();
    expect(cache.get("c")).toBe(p);
    cache.set("x".repeat(101), p, exp);
    expect(cache.get("x".repeat(101)), "long tokens are not kept").toBeUndefined();
    now += 60_000;
    expect(cache.get("c"), "at most a minute").toBeUndefined();
    cache.set("d", p, now / 1000 + 5);
    now += 5_000;
    expect(cache.get("d"), "never past exp").toBeUndefined();
  });
});

describe("claims, audience and issuer", () => {
  it("reads the user id and scopes from configured claims", async () => {
    const auth = await jwt({ verificationKey: TEST_SECRET, userIdClaim: "uid", scopesClaim: "scope" });
    const p = await auth.authenticateToken(
      await signToken(TEST_SECRET, {
        sub: "ignored",
        extra: { uid: "u-42", scope: "agents:read teams:read" },
      }),
    );
    expect(p.userId).toBe("u-42");
    expect([...p.scopes]).toEqual(["agents:read", "teams:read"]);
  });

  it("checks aud and iss when configured", async () => {
    const auth = await jwt({
      verificationKey: TEST_SECRET,
      audience: "my-os",
      issuer: "https://idp.example",
    });
    const ok = await signToken(TEST_SECRET, { aud: "my-os", iss: "https://idp.example" });
    expect((await auth.authenticateToken(ok)).userId).toBe("alice");
    expect(
      await refusal(auth, await signToken(TEST_SECRET, { aud: "other", iss: "https://idp.example" })),
    ).toBe("Invalid token audience - token not valid for this AgentOS instance");
    expect(
      await refusal(auth, await signToken(TEST_SECRET, { aud: "my-os", iss: "https://evil.example" })),
    ).toBe("Invalid token issuer");
    expect(await refusal(auth, await signToken(TEST_SECRET, { iss: "https://idp.example" }))).toBe(
      "Invalid token: missing required 'aud' claim",
    );
  });
});

describe("RS256 and ES256 with a PEM public key", () => {
  it("verifies RS256 tokens, the algorithm taken from the key", async () => {
    const auth = await jwt({ verificationKey: rsaPem });
    const p = await auth.authenticateToken(await signToken(rsa.privateKey, { alg: "RS256", sub: "carol" }));
    expect(p.userId).toBe("carol");
  });

  it("verifies ES256 tokens", async () => {
    const auth = await jwt({ verificationKey: ecPem, algorithm: "ES256" });
    const p = await auth.authenticateToken(await signToken(ec.privateKey, { alg: "ES256", sub: "dave" }));
    expect(p.userId).toBe("dave");
  });

  it("accepts a PEM written on one line with literal \\n", async () => {
    const auth = await jwt({ verificationKey: rsaPem.replace(/\n/g, "\\n") });
    await expect(
      auth.authenticateToken(await signToken(rsa.privateKey, { alg: "RS256" })),
    ).resolves.toBeDefined();
  });

  it("refuses an HS256 token signed with the RS256 public key as its secret (algorithm confusion)", async () => {
    const auth = await jwt({ verificationKey: rsaPem, algorithm: "RS256" });
    const forged = await signToken(rsaPem, { alg: "HS256", scopes: ["agent_os:admin"] });
    expect(await refusal(auth, forged)).toBe("Invalid token: algorithm not allowed");
    const forgedTrimmed = await signToken(rsaPem.trim(), { alg: "HS256", scopes: ["agent_os:admin"] });
    expect(await refusal(auth, forgedTrimmed)).toBe("Invalid token: algorithm not allowed");
  });

  it("refuses an RS256 token signed by another key", async () => {
    const other = await generateKeyPair("RS256");
    const auth = await jwt({ verificationKey: rsaPem });
    expect(await refusal(auth, await signToken(other.privateKey, { alg: "RS256" }))).toBe(
      "Invalid token: signature verification failed",
    );
  });
});

describe("key configuration errors fail the start", () => {
  it.each([
    [{}, /exactly one JWT key source; got none/],
    [{ verificationKey: TEST_SECRET, jwksUrl: "https://x/jwks" }, /exactly one JWT key source/],
    [
      { verificationKey: TEST_SECRET, algorithm: "PS256" },
      /JWT_ALGORITHM must be one of HS256, RS256, ES256/,
    ],
    [{ verificationKey: "short" }, /at least 32 bytes/],
    [{ verificationKey: TEST_SECRET, algorithm: "RS256" }, /needs a PEM public key/],
    [{ verificationKey: "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----" }, /not a valid PEM/],
    [{ jwksUrl: "ftp://example.com/jwks" }, /http\(s\) URL/],
    [{ jwksUrl: "not a url" }, /not a URL/],
    [{ jwksFile: "/nonexistent/jwks.json" }, /could not be read/],
  ] as [JwtSettings, RegExp][])("%j", async (settings, message) => {
    await expect(loadJwtKeys(settings)).rejects.toThrow(message);
  });

  it("refuses a PEM with HS256, a private key, and a key of the wrong type", async () => {
    await expect(loadJwtKeys({ verificationKey: rsaPem, algorithm: "HS256" })).rejects.toThrow(
      /HS256 needs a secret/,
    );
    await expect(loadJwtKeys({ verificationKey: await exportPKCS8(rsa.privateKey) })).rejects.toThrow(
      /private key/,
    );
    await expect(loadJwtKeys({ verificationKey: ecPem, algorithm: "RS256" })).rejects.toThrow(/does not fit/);
    const pem = (k: KeyObject) => k.export({ type: "spki", format: "pem" }) as string;
    const small = pem(generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey);
    await expect(loadJwtKeys({ verificationKey: small })).rejects.toThrow(/2048/);
    const ed = pem(generateKeyPairSync("ed25519").publicKey);
    await expect(loadJwtKeys({ verificationKey: ed })).rejects.toThrow(/is a ed25519 key/);
    const p384 = pem(generateKeyPairSync("ec", { namedCurve: "secp384r1" }).publicKey);
    await expect(loadJwtKeys({ verificationKey: p384 })).rejects.toThrow(/P-256/);
  });
});

async function jwkOf(key: CryptoKey, kid: string): Promise<JWK> {
  return { ...(await exportJWK(key)), kid, alg: "RS256", use: "sig" };
}

describe("JWKS file", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "agentos-jwks-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("picks the key by kid and refuses unknown kids", async () => {
    const other = await generateKeyPair("RS256");
    const file = join(dir, "jwks.json");
    writeFileSync(
      file,
      JSON.stringify({ keys: [await jwkOf(rsa.publicKey, "k1"), await jwkOf(other.publicKey, "k2")] }),
    );
    const auth = await jwt({ jwksFile: file });
    const p = await auth.authenticateToken(
      await signToken(other.privateKey, { alg: "RS256", kid: "k2", sub: "eve" }),
    );
    expect(p.userId).toBe("eve");
    expect(await refusal(auth, await signToken(rsa.privateKey, { alg: "RS256", kid: "k9" }))).toBe(
      "Invalid token: no key matches it",
    );
    expect(await refusal(auth, await signToken(rsa.privateKey, { alg: "RS256", kid: "k2" }))).toBe(
      "Invalid token: signature verification failed",
    );
  });

  it("refuses a file that is not a key set", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ nope: true }));
    await expect(loadJwtKeys({ jwksFile: file })).rejects.toThrow(/not a JSON Web Key Set/);
  });
});

describe("JWKS URL", () => {
  let server: http.Server;
  let url: string;
  let keys: JWK[] = [];
  let fetches = 0;
  let failing = false;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      fetches++;
      if (failing) return void res.writeHead(500).end("down");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  afterEach(() => {
    vi.useRealTimers();
    failing = false;
  });

  it("fetches lazily, caches, and refetches on an unknown kid at most once a minute", async () => {
    keys = [await jwkOf(rsa.publicKey, "old")];
    fetches = 0;
    const auth = await jwt({ jwksUrl: url });
    expect(fetches, "no network at construction").toBe(0);

    const t1 = await signToken(rsa.privateKey, { alg: "RS256", kid: "old" });
    await auth.authenticateToken(t1);
    await auth.authenticateToken(t1);
    expect(fetches, "fetched once, then cached").toBe(1);

    // The identity provider rotates to a new key.
    const next = await generateKeyPair("RS256");
    keys = [await jwkOf(rsa.publicKey, "old"), await jwkOf(next.publicKey, "new")];
    const t2 = await signToken(next.privateKey, { alg: "RS256", kid: "new", expiresIn: 7200 });
    expect(await refusal(auth, t2)).toBe("Invalid token: no key matches it");
    expect(await refusal(auth, t2)).toBe("Invalid token: no key matches it");
    expect(fetches, "no refetch within a minute of the last fetch").toBe(1);

    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 61_000 });
    expect((await auth.authenticateToken(t2)).userId).toBe("alice");
    expect(fetches, "refetched once the minute passed").toBe(2);
    await auth.authenticateToken(t2);
    expect(fetches).toBe(2);
  });

  it("answers 503, not 401, when the key server is down", async () => {
    failing = true;
    const auth = await jwt({ jwksUrl: url });
    const err = await auth
      .authenticateToken(await signToken(rsa.privateKey, { alg: "RS256", kid: "x" }))
      .catch((e) => e);
    expect(err).toMatchObject({ status: 503, message: "The keys to verify the token could not be loaded" });
  });
});
