import { createHash, timingSafeEqual } from "node:crypto";
import { UnauthorizedError } from "../../errors.js";
import type { Authenticator, RequestCredentials } from "./authenticator.js";
import { bearerToken, checkedToken } from "./bearer-token.js";
import type { Principal } from "./principal.js";

/** The holder of the security key: no identity, no scopes, every route. */
const KEY_HOLDER: Principal = Object.freeze({ mode: "security_key", scopes: new Set<string>(), admin: true });

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** `OS_SECURITY_KEY`: every non-public route needs `Authorization: Bearer <key>`. */
export class SecurityKeyAuthenticator implements Authenticator {
  readonly mode = "security_key" as const;
  // Comparing equal-length digests keeps the comparison constant-time whatever the candidate's length.
  readonly #expected: Buffer;

  constructor(key: string) {
    if (!key) throw new TypeError("The security key must not be empty");
    this.#expected = digest(key);
  }

  async authenticate(req: RequestCredentials): Promise<Principal> {
    return this.#check(bearerToken(req.headers.authorization, "Authorization header required"));
  }

  async authenticateToken(token: string | undefined): Promise<Principal> {
    return this.#check(checkedToken(token, "Authentication token required"));
  }

  #check(candidate: string): Principal {
    if (!timingSafeEqual(digest(candidate), this.#expected))
      throw new UnauthorizedError("Invalid authentication token");
    return KEY_HOLDER;
  }
}
