/**
 * Cost of one JWT authentication in this process: a token seen for the first time (signature
 * checked) and a reused one (served from the verified-token cache), for HS256 and RS256.
 * Run: node --import tsx bench/jwt-verify.ts
 */
import { SignJWT, exportSPKI, generateKeyPair } from "jose";
import type { CryptoKey } from "jose";
import { JwtAuthenticator } from "../src/server/auth/jwt-authenticator.js";
import { loadJwtKeys } from "../src/server/auth/jwt-keys.js";

const SECRET = "bench-secret-that-is-at-least-32-bytes";

async function tokens(n: number, alg: string, key: CryptoKey | Uint8Array): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      await new SignJWT({ sub: `user-${i}`, scopes: ["agents:read"] })
        .setProtectedHeader({ alg })
        .setExpirationTime("1h")
        .sign(key),
    );
  return out;
}

async function perCall(auth: JwtAuthenticator, list: string[]): Promise<number> {
  const t0 = performance.now();
  for (const token of list) await auth.authenticateToken(token);
  return ((performance.now() - t0) / list.length) * 1000;
}

export async function measureJwt(n = 3000): Promise<Record<string, { firstUs: number; reusedUs: number }>> {
  const rsa = await generateKeyPair("RS256");
  const cases = [
    { name: "HS256", key: SECRET, tokens: await tokens(n, "HS256", new TextEncoder().encode(SECRET)) },
    { name: "RS256", key: await exportSPKI(rsa.publicKey), tokens: await tokens(n, "RS256", rsa.privateKey) },
  ];
  const out: Record<string, { firstUs: number; reusedUs: number }> = {};
  for (const c of cases) {
    const auth = new JwtAuthenticator(await loadJwtKeys({ verificationKey: c.key }));
    await perCall(auth, c.tokens.slice(0, 200)); // warm-up
    const firstUs = await perCall(auth, c.tokens.slice(200));
    const reused = Array.from({ length: n }, () => c.tokens[n - 1]);
    const reusedUs = await perCall(auth, reused);
    out[c.name] = { firstUs, reusedUs };
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, r] of Object.entries(await measureJwt()))
    console.log(
      `${name}: first use ${r.firstUs.toFixed(1)} µs, reused ${r.reusedUs.toFixed(1)} µs per authentication`,
    );
}
