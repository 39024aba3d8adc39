import { errors, jwtVerify } from "jose";
import type { JWTPayload } from "jose";
import { AgentOSError, UnauthorizedError } from "../../errors.js";
import type { Authenticator, RequestCredentials } from "./authenticator.js";
import { bearerToken, checkedToken } from "./bearer-token.js";
import type { JwtKeys } from "./jwt-keys.js";
import type { Principal } from "./principal.js";
import { ADMIN_SCOPE } from "./scopes.js";
import { VerifiedTokens } from "./verified-tokens.js";

/** Clock skew tolerated on `exp` and `nbf`, in seconds. */
export const JWT_LEEWAY_SECONDS = 10;

/** What a verified token must say and where its identity is. */
export interface JwtClaimSettings {
  /** Required `aud` (the token's `aud` must contain it). */
  audience?: string;
  /** Required `iss`. */
  issuer?: string;
  /** The claim holding the user id. Default `sub`. */
  userIdClaim?: string;
  /** The claim holding the scopes: an array or a space-separated string. Default `scopes`. */
  scopesClaim?: string;
}

/** JWT bearer tokens: one algorithm, `exp` required, `nbf`, `aud` and `iss` checked; scopes from a claim. */
export class JwtAuthenticator implements Authenticator {
  readonly mode = "jwt" as const;
  readonly #keys: JwtKeys;
  readonly #claims: Required<Pick<JwtClaimSettings, "userIdClaim" | "scopesClaim">> & JwtClaimSettings;
  readonly #verified = new VerifiedTokens();

  constructor(keys: JwtKeys, claims: JwtClaimSettings = {}) {
    this.#keys = keys;
    this.#claims = {
      ...claims,
      userIdClaim: claims.userIdClaim || "sub",
      scopesClaim: claims.scopesClaim || "scopes",
    };
  }

  async authenticate(req: RequestCredentials): Promise<Principal> {
    return this.#verify(bearerToken(req.headers.authorization, "Authorization header missing"));
  }

  async authenticateToken(token: string | undefined): Promise<Principal> {
    return this.#verify(checkedToken(token, "Authentication token required"));
  }

  async #verify(token: string): Promise<Principal> {
    const known = this.#verified.get(token);
    if (known) return known;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#keys.getKey, {
        algorithms: [this.#keys.algorithm],
        audience: this.#claims.audience,
        issuer: this.#claims.issuer,
        clockTolerance: JWT_LEEWAY_SECONDS,
        requiredClaims: ["exp"],
      }));
    } catch (err) {
      throw refusal(err);
    }
    const principal = this.#principal(payload);
    this.#verified.set(token, principal, payload.exp!);
    return principal;
  }

  #principal(payload: JWTPayload): Principal {
    const { userIdClaim, scopesClaim } = this.#claims;
    const userId = payload[userIdClaim];
    if (typeof userId !== "string" || userId === "")
      throw new UnauthorizedError(`Invalid token: the '${userIdClaim}' claim must be a non-empty string`);
    const scopes = new Set(scopeList(payload[scopesClaim], scopesClaim));
    return Object.freeze({ mode: "jwt", userId, scopes, admin: scopes.has(ADMIN_SCOPE) });
  }
}

function scopeList(claim: unknown, name: string): string[] {
  if (claim === undefined || claim === null) return [];
  if (typeof claim === "string") return claim.split(/\s+/).filter(Boolean);
  if (Array.isArray(claim) && claim.every((s) => typeof s === "string")) return claim;
  throw new UnauthorizedError(
    `Invalid token: the '${name}' claim must be an array of strings or a space-separated string`,
  );
}

/** jose's verification errors as 401s, in Agno's words where it has them. */
function refusal(err: unknown): Error {
  if (err instanceof AgentOSError) return err;
  if (err instanceof errors.JWTExpired) return new UnauthorizedError("Token has expired");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === "missing")
      return new UnauthorizedError(`Invalid token: missing required '${err.claim}' claim`);
    if (err.claim === "nbf") return new UnauthorizedError("Token is not yet valid");
    if (err.claim === "aud")
      return new UnauthorizedError("Invalid token audience - token not valid for this AgentOS instance");
    if (err.claim === "iss") return new UnauthorizedError("Invalid token issuer");
    return new UnauthorizedError(`Invalid token: ${err.message}`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed)
    return new UnauthorizedError("Invalid token: algorithm not allowed");
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new UnauthorizedError("Invalid token: signature verification failed");
  if (err instanceof errors.JWKSNoMatchingKey)
    return new UnauthorizedError("Invalid token: no key matches it");
  if (err instanceof errors.JOSEError) return new UnauthorizedError(`Invalid token: ${err.message}`);
  // jose throws TypeError for some malformed inputs (e.g. a key unfit for the algorithm).
  if (err instanceof TypeError) return new UnauthorizedError("Invalid token: malformed");
  return err instanceof Error ? err : new Error(String(err));
}
