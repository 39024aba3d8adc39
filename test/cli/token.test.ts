import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { decodeJwt, exportSPKI, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { runCli, parseTtl } from "../../src/cli/index.js";
import { ScriptedModel } from "../../src/model/scripted-model.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";
import { TEST_SECRET, bearer } from "../helpers/jwt.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Runs `node bin/agentos.js ...args` in a child process with only the given JWT_* variables. */
function agentos(args: string[], env: Record<string, string>) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("JWT_")));
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["bin/agentos.js", ...args],
      { cwd: ROOT, env: { ...base, ...env } },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** runCli in this process, capturing its output. */
async function cli(args: string[], env: Record<string, string | undefined>) {
  let out = "";
  let err = "";
  const code = await runCli(args, { env, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

let t: TestOS;
beforeAll(async () => {
  t = await testOS({
    agents: [new Agent({ id: "a", name: "A", model: ScriptedModel.reply("ok") })],
    auth: { jwt: { verificationKey: TEST_SECRET, audience: "dev-os" } },
  });
});
afterAll(() => t.cleanup());

describe("agentos token (child process)", () => {
  it("prints a token the server accepts, for that user and only those scopes", async () => {
    const r = await agentos(
      ["token", "--sub", "alice", "--scopes", "agents:run,sessions:read", "--ttl", "10m"],
      { JWT_VERIFICATION_KEY: TEST_SECRET, JWT_AUDIENCE: "dev-os" },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(token.split(".")).toHaveLength(3);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: "alice", scopes: ["agents:run", "sessions:read"], aud: "dev-os" });
    expect(claims.exp! - claims.iat!).toBe(600);

    const run = await t.inject({
      method: "POST",
      url: "/agents/a/runs",
      payload: { message: "hi" },
      headers: bearer(token),
    });
    expect(run.statusCode).toBe(200);
    const session = await t.inject({
      method: "GET",
      url: `/sessions/${run.json().session_id}`,
      headers: bearer(token),
    });
    expect(session.json().user_id).toBe("alice");
    expect((await t.inject({ method: "GET", url: "/agents", headers: bearer(token) })).statusCode).toBe(403);
  });

  it("exits 2 with the reason when JWT_VERIFICATION_KEY is not set", async () => {
    const r = await agentos(["token", "--sub", "alice"], {});
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Set JWT_VERIFICATION_KEY");
  });
});

describe("agentos token (in process)", () => {
  const env = { JWT_VERIFICATION_KEY: TEST_SECRET };

  it("signs with --aud and --iss over the environment's defaults, scopes space- or comma-separated", async () => {
    const r = await cli(
      ["token", "--sub", "bob", "--scopes", "a:read b:run,c:write", "--aud", "x", "--iss", "me"],
      {
        ...env,
        JWT_AUDIENCE: "ignored",
      },
    );
    expect(r.code).toBe(0);
    expect(decodeJwt(r.out)).toMatchObject({
      sub: "bob",
      scopes: ["a:read", "b:run", "c:write"],
      aud: "x",
      iss: "me",
    });
  });

  it("uses the configured claim names", async () => {
    const r = await cli(["token", "--sub", "u1", "--scopes", "agents:read"], {
      ...env,
      JWT_USER_ID_CLAIM: "uid",
      JWT_SCOPES_CLAIM: "scope",
    });
    expect(decodeJwt(r.out)).toMatchObject({ uid: "u1", scope: ["agents:read"] });
  });

  it("refuses usage errors with exit 2 and the usage", async () => {
    for (const args of [
      ["token"],
      ["token", "--sub", "a", "--ttl", "forever"],
      ["token", "--sub", "a", "--bogus"],
    ]) {
      const r = await cli(args, env);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toContain("Usage: agentos token");
    }
    const unknown = await cli(["mint"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("Unknown command 'mint'");
  });

  it("refuses keys the server would refuse, and a PEM (it signs HS256 only)", async () => {
    const short = await cli(["token", "--sub", "a"], { JWT_VERIFICATION_KEY: "short" });
    expect(short.code).toBe(1);
    expect(short.err).toMatch(/at least 32 bytes/);
    const pem = await exportSPKI((await generateKeyPair("ES256")).publicKey);
    const r = await cli(["token", "--sub", "a"], { JWT_VERIFICATION_KEY: pem });
    expect(r.code).toBe(1);
    expect(r.err).toBe("agentos token: it signs HS256 tokens; JWT_VERIFICATION_KEY is configured for ES256");
  });

  it("prints help", async () => {
    expect((await cli(["--help"], env)).out).toContain("token");
    expect((await cli(["token", "--help"], env)).out).toContain("--scopes");
  });

  it("parses lifetimes", () => {
    expect([parseTtl("3600"), parseTtl("90s"), parseTtl("15m"), parseTtl("1h"), parseTtl("7d")]).toEqual([
      3600, 90, 900, 3600, 604_800,
    ]);
    expect(() => parseTtl("0")).toThrow();
    expect(() => parseTtl("1w")).toThrow();
  });
});
