import { SignJWT, base64url } from "jose";
import type { CryptoKey, JWTPayload } from "jose";

/** An HS256 secret long enough for the server to accept. */
export const TEST_SECRET = "test-secret-that-is-at-least-32-bytes-long";

export interface TokenOptions {
  sub?: string | null;
  scopes?: string[] | string;
  /** Seconds from now; negative for an expired token. Null: no exp claim. Default 3600. */
  expiresIn?: number | null;
  /** Seconds from now. */
  notBefore?: number;
  aud?: string;
  iss?: string;
  kid?: string;
  alg?: string;
  extra?: JWTPayload;
}

/** Signs a token with `key` (an HMAC secret string or a private CryptoKey). */
export async function signToken(key: string | CryptoKey, o: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = { ...o.extra };
  if (o.sub !== null) payload.sub = o.sub ?? "alice";
  if (o.scopes !== undefined) payload.scopes = o.scopes;
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: o.alg ?? "HS256", typ: "JWT", ...(o.kid ? { kid: o.kid } : {}) })
    .setIssuedAt(now);
  if (o.expiresIn !== null) jwt.setExpirationTime(now + (o.expiresIn ?? 3600));
  if (o.notBefore !== undefined) jwt.setNotBefore(now + o.notBefore);
  if (o.aud) jwt.setAudience(o.aud);
  if (o.iss) jwt.setIssuer(o.iss);
  return jwt.sign(typeof key === "string" ? new TextEncoder().encode(key) : key);
}

/** An unsigned token (`alg: none`), as an attacker would send it. */
export function unsignedToken(payload: JWTPayload): string {
  const enc = (v: unknown) => base64url.encode(JSON.stringify(v));
  return `${enc({ alg: "none", typ: "JWT" })}.${enc(payload)}.`;
}

/** `Authorization` header for a token. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
