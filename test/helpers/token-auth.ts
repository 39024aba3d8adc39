import type { FastifyRequest } from "fastify";
import { UnauthorizedError } from "../../src/errors.js";
import type { Authenticator, Principal } from "../../src/server/auth/index.js";

/** Tokens as fixed principals: a JWT-mode authenticator for tests that are about isolation, not token formats. */
export class TokenAuthenticator implements Authenticator {
  readonly mode = "jwt" as const;
  constructor(private readonly tokens: Record<string, Principal>) {}
  async authenticate(req: FastifyRequest): Promise<Principal> {
    return this.authenticateToken(req.headers.authorization?.replace(/^Bearer\s+/i, ""));
  }
  async authenticateToken(token: string | undefined): Promise<Principal> {
    const p = token ? this.tokens[token] : undefined;
    if (!p) throw new UnauthorizedError(token ? "Invalid authentication token" : "Authorization required");
    return p;
  }
}

/** A non-admin caller with these scopes. */
export const userPrincipal = (userId: string, scopes: string[]): Principal => ({
  mode: "jwt",
  userId,
  scopes: new Set(scopes),
  admin: false,
});
