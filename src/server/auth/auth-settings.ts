import type { Logger } from "pino";
import type { Authenticator } from "./authenticator.js";
import { OpenAuthenticator } from "./authenticator.js";
import type { JwtClaimSettings } from "./jwt-authenticator.js";
import type { JwtAlgorithm, JwtKeySettings } from "./jwt-keys.js";
import { SecurityKeyAuthenticator } from "./security-key-authenticator.js";

export type JwtSettings = JwtKeySettings & JwtClaimSettings;

/** How callers authenticate. With a JWT key source set, JWT wins and the security key is ignored. */
export interface AuthSettings {
  /** `OS_SECURITY_KEY`: callers send `Authorization: Bearer <key>`. */
  securityKey?: string;
  /** `JWT_*`: bearer JWTs with scopes and a user id. */
  jwt?: JwtSettings;
}

type Env = Record<string, string | undefined>;

/** The auth settings the environment gives (unset and empty variables are absent). */
export function readAuthEnv(env: Env): AuthSettings {
  const v = (name: string) => (env[name] === undefined || env[name] === "" ? undefined : env[name]);
  const jwt: JwtSettings = {
    verificationKey: v("JWT_VERIFICATION_KEY"),
    algorithm: v("JWT_ALGORITHM") as JwtAlgorithm | undefined,
    jwksFile: v("JWT_JWKS_FILE"),
    jwksUrl: v("JWT_JWKS_URL"),
    audience: v("JWT_AUDIENCE"),
    issuer: v("JWT_ISSUER"),
    userIdClaim: v("JWT_USER_ID_CLAIM"),
    scopesClaim: v("JWT_SCOPES_CLAIM"),
  };
  return { securityKey: v("OS_SECURITY_KEY"), jwt };
}

/** Code over environment, setting by setting. */
export function mergeAuthSettings(env: AuthSettings, code: AuthSettings = {}): AuthSettings {
  const jwt: JwtSettings = { ...env.jwt };
  for (const [k, val] of Object.entries(code.jwt ?? {}))
    if (val !== undefined) (jwt as Record<string, unknown>)[k] = val;
  return { securityKey: code.securityKey ?? env.securityKey, jwt };
}

const hasJwtKeySource = (jwt: JwtSettings | undefined) =>
  !!(jwt?.verificationKey || jwt?.jwksFile || jwt?.jwksUrl);

/** The mode the settings select: JWT, else the security key, else none. */
export function authModeOf(settings: AuthSettings): Authenticator["mode"] {
  if (hasJwtKeySource(settings.jwt)) return "jwt";
  return settings.securityKey ? "security_key" : "none";
}

/**
 * Builds the authenticator the settings select, once, at start: reads a JWKS file and checks
 * keys here so that a misconfiguration fails the start, not the first request. No network.
 */
export async function createAuthenticator(settings: AuthSettings, logger: Logger): Promise<Authenticator> {
  const mode = authModeOf(settings);
  if (mode === "jwt") {
    if (settings.securityKey) logger.warn("OS_SECURITY_KEY is ignored: JWT authentication is configured");
    // jose is loaded only by an OS that verifies JWTs, keeping it out of the package's import time.
    const [{ JwtAuthenticator }, { loadJwtKeys }] = await Promise.all([
      import("./jwt-authenticator.js"),
      import("./jwt-keys.js"),
    ]);
    return new JwtAuthenticator(await loadJwtKeys(settings.jwt!), settings.jwt);
  }
  if (mode === "security_key") return new SecurityKeyAuthenticator(settings.securityKey!);
  return new OpenAuthenticator();
}
