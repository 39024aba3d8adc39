/**
 * Per-request cost of authentication: GET /agents (no store access) over HTTP with 50 connections,
 * with no auth, a security key, an HS256 JWT and an RS256 JWT (autocannon here, the server in a child process).
 * Run: node --import tsx bench/auth-overhead.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { SignJWT, exportSPKI, generateKeyPair } from "jose";
import { startChildServer } from "../test/helpers/child-server.js";

const SECRET = "bench-secret-that-is-at-least-32-bytes";

interface Mode {
  name: string;
  env: Record<string, string>;
  authorization?: string;
}

async function modes(): Promise<Mode[]> {
  const claims = { sub: "bench-user", scopes: ["agents:read"] };
  const hs = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(SECRET));
  const rsa = await generateKeyPair("RS256");
  const rs = await new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256" })
    .setExpirationTime("1h")
    .sign(rsa.privateKey);
  return [
    { name: "none", env: {} },
    { name: "security key", env: { OS_SECURITY_KEY: "bench-key" }, authorization: "Bearer bench-key" },
    { name: "JWT HS256", env: { JWT_VERIFICATION_KEY: SECRET }, authorization: `Bearer ${hs}` },
    {
      name: "JWT RS256",
      env: { JWT_VERIFICATION_KEY: await exportSPKI(rsa.publicKey) },
      authorization: `Bearer ${rs}`,
    },
  ];
}

export async function measureAuth(seconds = 5, connections = 50): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const mode of await modes()) {
    const dir = mkdtempSync(join(tmpdir(), "agentos-bench-auth-"));
    const server = await startChildServer("bench/bench-server.ts", [join(dir, "bench.db")], mode.env);
    try {
      const opts = {
        url: `${server.url}/agents`,
        connections,
        headers: mode.authorization ? { authorization: mode.authorization } : {},
      };
      await autocannon({ ...opts, duration: 1 });
      const r = await autocannon({ ...opts, duration: seconds });
      if (r.non2xx || r.errors) throw new Error(`${mode.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      out[mode.name] = Math.round(r.requests.average);
    } finally {
      server.proc.kill("SIGKILL");
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureAuth();
  console.log(
    `GET /agents over HTTP (50 connections), requests/s: ${Object.entries(r)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
}
