import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import { readAuthEnv } from "../server/auth/index.js";
import { loadJwtKeys } from "../server/auth/jwt-keys.js";

export const TOKEN_USAGE = `Usage: agentos token --sub <user> [--scopes a:read,b:run] [--ttl 1h] [--aud <audience>] [--iss <issuer>]

Prints an HS256 JWT signed with JWT_VERIFICATION_KEY, for local testing.
  --sub      the user id (put in JWT_USER_ID_CLAIM, default "sub")            required
  --scopes   comma- or space-separated scopes (JWT_SCOPES_CLAIM, default "scopes")
  --ttl      lifetime: 3600, 90s, 15m, 1h or 7d                              default 1h
  --aud      audience                                                       default JWT_AUDIENCE
  --iss      issuer                                                         default JWT_ISSUER`;

/** A usage error: the message is printed with the usage and the exit code is 2. */
export class UsageError extends Error {}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `3600`, `90s`, `15m`, `1h`, `7d` in seconds. */
export function parseTtl(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * UNIT_SECONDS[m[2] || "s"] : 0;
  if (!m || seconds < 1 || !Number.isSafeInteger(seconds))
    throw new UsageError(`--ttl must look like 3600, 90s, 15m, 1h or 7d, got '${text}'`);
  return seconds;
}

/** Signs a development token from the command line's options and the JWT_* environment. */
export async function tokenCommand(argv: string[], env: Record<string, string | undefined>): Promise<string> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        sub: { type: "string" },
        scopes: { type: "string", default: "" },
        ttl: { type: "string", default: "1h" },
        aud: { type: "string" },
        iss: { type: "string" },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const sub = String(values.sub ?? "").trim();
  if (!sub) throw new UsageError("--sub is required");
  const ttl = parseTtl(String(values.ttl));
  const scopes = String(values.scopes)
    .split(/[\s,]+/)
    .filter(Boolean);

  const jwt = readAuthEnv(env).jwt ?? {};
  if (!jwt.verificationKey) throw new UsageError("Set JWT_VERIFICATION_KEY to the server's HS256 secret");
  // The server's own checks: a PEM, a short secret or another algorithm is refused here too.
  const { algorithm } = await loadJwtKeys({ verificationKey: jwt.verificationKey, algorithm: jwt.algorithm });
  if (algorithm !== "HS256")
    throw new Error(`it signs HS256 tokens; JWT_VERIFICATION_KEY is configured for ${algorithm}`);

  const now = Math.floor(Date.now() / 1000);
  const token = new SignJWT({ [jwt.userIdClaim || "sub"]: sub, [jwt.scopesClaim || "scopes"]: scopes })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + ttl);
  const aud = (values.aud as string | undefined) ?? jwt.audience;
  const iss = (values.iss as string | undefined) ?? jwt.issuer;
  if (aud) token.setAudience(aud);
  if (iss) token.setIssuer(iss);
  return token.sign(new TextEncoder().encode(jwt.verificationKey));
}
