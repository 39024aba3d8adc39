import { createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createLocalJWKSet, createRemoteJWKSet, errors } from "jose";
import type { JWTVerifyGetKey } from "jose";
import { UnavailableError } from "../../errors.js";

export const JWT_ALGORITHMS = ["HS256", "RS256", "ES256"] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash. */
export const MIN_HMAC_SECRET_BYTES = 32;
/** A JWKS URL is fetched again on an unknown `kid` at most this often. */
export const JWKS_REFETCH_MS = 60_000;
/** A JWKS URL's keys are fetched again after this long even when every `kid` is known. */
export const JWKS_MAX_AGE_MS = 10 * 60_000;

/** Where the keys that verify tokens come from: exactly one of the three. */
export interface JwtKeySettings {
  /** An HMAC secret (HS256) or a PEM public key or certificate (RS256, ES256). */
  verificationKey?: string;
  /** The one accepted algorithm. Default: HS256 for a secret, the key's own for a PEM, RS256 for a JWKS. */
  algorithm?: JwtAlgorithm;
  /** A JSON Web Key Set file, read at start. */
  jwksFile?: string;
  /** A JSON Web Key Set URL, fetched on first use and cached. */
  jwksUrl?: string;
}

/** The resolved key source: which algorithm, and how to find the key for a token's header. */
export interface JwtKeys {
  algorithm: JwtAlgorithm;
  getKey: JWTVerifyGetKey;
}

const isPem = (text: string) => text.trimStart().startsWith("-----BEGIN");

/** Resolves the configured key source; throws a configuration error naming the setting at fault. */
export async function loadJwtKeys(s: JwtKeySettings): Promise<JwtKeys> {
  const sources = [
    s.verificationKey && "JWT_VERIFICATION_KEY",
    s.jwksFile && "JWT_JWKS_FILE",
    s.jwksUrl && "JWT_JWKS_URL",
  ];
  const given = sources.filter(Boolean);
  if (given.length !== 1)
    throw new Error(`Configure exactly one JWT key source; got ${given.length ? given.join(", ") : "none"}`);
  if (s.algorithm !== undefined && !JWT_ALGORITHMS.includes(s.algorithm))
    throw new Error(`JWT_ALGORITHM must be one of ${JWT_ALGORITHMS.join(", ")}, got '${s.algorithm}'`);

  if (s.verificationKey) {
    if (isPem(s.verificationKey)) return publicKeySource(s.verificationKey, s.algorithm);
    return await secretSource(s.verificationKey, s.algorithm);
  }
  if (s.jwksFile) return { algorithm: s.algorithm ?? "RS256", getKey: await jwksFileSource(s.jwksFile) };
  return { algorithm: s.algorithm ?? "RS256", getKey: jwksUrlSource(s.jwksUrl!) };
}

async function secretSource(secret: string, algorithm: JwtAlgorithm | undefined): Promise<JwtKeys> {
  if (algorithm && algorithm !== "HS256")
    throw new Error(
      `JWT_ALGORITHM ${algorithm} needs a PEM public key in JWT_VERIFICATION_KEY, not a secret`,
    );
  const key = new TextEncoder().encode(secret);
  if (key.byteLength < MIN_HMAC_SECRET_BYTES)
    throw new Error(`JWT_VERIFICATION_KEY must be at least ${MIN_HMAC_SECRET_BYTES} bytes long for HS256`);
  // Imported once: jose would import raw bytes again on every verification.
  const hmac = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
  return { algorithm: "HS256", getKey: async () => hmac };
}

function publicKeySource(text: string, algorithm: JwtAlgorithm | undefined): JwtKeys {
  // Env files often carry a PEM on one line with literal \n.
  const pem = text.replace(/\\n/g, "\n").trim();
  // A PEM used as an HMAC secret is the classic algorithm-confusion hole: never allow it.
  if (algorithm === "HS256")
    throw new Error("JWT_ALGORITHM HS256 needs a secret in JWT_VERIFICATION_KEY, not a PEM key");
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
    throw new Error("JWT_VERIFICATION_KEY holds a private key; give the public key (or certificate) instead");
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new Error(
      `JWT_VERIFICATION_KEY is not a valid PEM public key or certificate: ${(err as Error).message}`,
    );
  }
  const type = key.asymmetricKeyType;
  const own: JwtAlgorithm | undefined = type === "rsa" ? "RS256" : type === "ec" ? "ES256" : undefined;
  if (!own)
    throw new Error(`JWT_VERIFICATION_KEY is a ${type} key; RS256 needs RSA and ES256 needs EC P-256`);
  const alg = algorithm ?? own;
  if (alg !== own)
    throw new Error(`JWT_ALGORITHM ${alg} does not fit the ${type} key in JWT_VERIFICATION_KEY`);
  const details = key.asymmetricKeyDetails ?? {};
  if (alg === "ES256" && details.namedCurve !== "prime256v1")
    throw new Error(`ES256 needs an EC key on P-256, not ${details.namedCurve}`);
  if (alg === "RS256" && (details.modulusLength ?? 0) < 2048)
    throw new Error("RS256 needs an RSA key of at least 2048 bits");
  return { algorithm: alg, getKey: async () => key };
}

async function jwksFileSource(file: string): Promise<JWTVerifyGetKey> {
  let jwks: unknown;
  try {
    jwks = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new Error(`JWT_JWKS_FILE '${file}' could not be read as JSON: ${(err as Error).message}`);
  }
  try {
    return createLocalJWKSet(jwks as never);
  } catch (err) {
    throw new Error(`JWT_JWKS_FILE '${file}' is not a JSON Web Key Set: ${(err as Error).message}`);
  }
}

function jwksUrlSource(href: string): JWTVerifyGetKey {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new Error(`JWT_JWKS_URL is not a URL: '${href}'`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new Error(`JWT_JWKS_URL must be an http(s) URL, got '${href}'`);
  // jose fetches lazily on first use, caches, and refetches on an unknown kid only after the cooldown.
  const remote = createRemoteJWKSet(url, {
    cooldownDuration: JWKS_REFETCH_MS,
    cacheMaxAge: JWKS_MAX_AGE_MS,
    timeoutDuration: 5_000,
  });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
        throw err;
      // The key server is down or answers garbage: our fault, not the caller's (the cause goes to the log).
      throw Object.assign(new UnavailableError("The keys to verify the token could not be loaded"), {
        cause: err,
      });
    }
  };
}
