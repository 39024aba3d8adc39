import pino from "pino";
import { describe, expect, it } from "vitest";
import {
  OPEN_PRINCIPAL,
  OpenAuthenticator,
  SecurityKeyAuthenticator,
  authModeOf,
  createAuthenticator,
  mergeAuthSettings,
  readAuthEnv,
} from "../../../src/server/auth/index.js";
import type { Authenticator } from "../../../src/server/auth/index.js";
import { TEST_SECRET, signToken } from "../../helpers/jwt.js";

const quiet = pino({ level: "silent" });
const KEY = "s3cret-security-key";

async function status(p: Promise<unknown> | unknown): Promise<number | "ok"> {
  try {
    await p;
    return "ok";
  } catch (err) {
    return (err as { status: number }).status;
  }
}

describe("security key", () => {
  const auth = new SecurityKeyAuthenticator(KEY);

  it("admits the key as a Bearer token, with no identity and every route", async () => {
    const p = await auth.authenticate({ headers: { authorization: `Bearer ${KEY}` } });
    expect(p).toMatchObject({ mode: "security_key", admin: true });
    expect(p.userId).toBeUndefined();
  });

  it("refuses a missing header, another scheme, a wrong key, a prefix and a longer key", async () => {
    const refused = (authorization?: string) =>
      auth.authenticate({ headers: authorization === undefined ? {} : { authorization } }).then(
        () => "accepted",
        (e: { status: number; message: string }) => `${e.status} ${e.message}`,
      );
    expect(await refused()).toBe("401 Authorization header required");
    expect(await refused(KEY)).toBe("401 Invalid authorization header: expected 'Bearer <token>'");
    expect(await refused("Bearer wrong")).toBe("401 Invalid authentication token");
    expect(await refused(`Bearer ${KEY.slice(0, -1)}`)).toBe("401 Invalid authentication token");
    expect(await refused(`Bearer ${KEY}x`)).toBe("401 Invalid authentication token");
    expect(await refused(`Bearer ${"k".repeat(9000)}`)).toBe("401 Token is too large (over 8192 bytes)");
  });

  it("refuses an empty key at construction", () => {
    expect(() => new SecurityKeyAuthenticator("")).toThrow(/must not be empty/);
  });
});

describe("authenticateToken (for WebSockets) in every mode", () => {
  it("open: anything passes as the open principal", async () => {
    const auth = new OpenAuthenticator();
    const ws: Authenticator = auth;
    expect(await ws.authenticateToken(undefined)).toBe(OPEN_PRINCIPAL);
    expect(await ws.authenticateToken("whatever")).toBe(OPEN_PRINCIPAL);
  });

  it("security key: the key passes, anything else is a 401", async () => {
    const auth = new SecurityKeyAuthenticator(KEY);
    expect((await auth.authenticateToken(KEY)).mode).toBe("security_key");
    expect(await status(auth.authenticateToken(undefined))).toBe(401);
    expect(await status(auth.authenticateToken(""))).toBe(401);
    expect(await status(auth.authenticateToken("nope"))).toBe(401);
  });

  it("JWT: a valid token gives its user and scopes; missing, bad and expired ones are 401", async () => {
    const auth = await createAuthenticator({ jwt: { verificationKey: TEST_SECRET } }, quiet);
    const p = await auth.authenticateToken(
      await signToken(TEST_SECRET, { sub: "ws-user", scopes: ["agents:run"] }),
    );
    expect(p).toMatchObject({ mode: "jwt", userId: "ws-user", admin: false });
    expect(await status(auth.authenticateToken(undefined))).toBe(401);
    expect(await status(auth.authenticateToken("garbage"))).toBe(401);
    expect(await status(auth.authenticateToken(await signToken(TEST_SECRET, { expiresIn: -60 })))).toBe(401);
  });
});

describe("choosing the mode", () => {
  const env = (vars: Record<string, string>) => readAuthEnv(vars);

  it("is none, security key or JWT; JWT wins over the key", () => {
    expect(authModeOf(env({}))).toBe("none");
    expect(authModeOf(env({ OS_SECURITY_KEY: KEY }))).toBe("security_key");
    expect(authModeOf(env({ JWT_VERIFICATION_KEY: TEST_SECRET }))).toBe("jwt");
    expect(authModeOf(env({ JWT_JWKS_URL: "https://idp/jwks" }))).toBe("jwt");
    expect(authModeOf(env({ JWT_JWKS_FILE: "/x.json", OS_SECURITY_KEY: KEY }))).toBe("jwt");
    expect(authModeOf(env({ OS_SECURITY_KEY: "", JWT_VERIFICATION_KEY: "" }))).toBe("none");
  });

  it("takes code settings over the environment, one by one", () => {
    const merged = mergeAuthSettings(env({ JWT_VERIFICATION_KEY: "from-env", JWT_AUDIENCE: "env-aud" }), {
      jwt: { verificationKey: "from-code", audience: undefined },
    });
    expect(merged.jwt).toMatchObject({ verificationKey: "from-code", audience: "env-aud" });
    expect(mergeAuthSettings(env({ OS_SECURITY_KEY: "a" }), { securityKey: "b" }).securityKey).toBe("b");
  });

  it("builds the authenticator of the mode, warning when the key is ignored", async () => {
    const warnings: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => warnings.push(JSON.parse(line).msg) });
    const build = (s: Parameters<typeof createAuthenticator>[0]): Promise<Authenticator> =>
      createAuthenticator(s, logger);
    expect((await build({})).mode).toBe("none");
    expect((await build({ securityKey: KEY })).mode).toBe("security_key");
    expect((await build({ securityKey: KEY, jwt: { verificationKey: TEST_SECRET } })).mode).toBe("jwt");
    expect(warnings).toEqual(["OS_SECURITY_KEY is ignored: JWT authentication is configured"]);
  });
});
