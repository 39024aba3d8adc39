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

/**
 * An Authenticator for tests: fixed bearer tokens, each standing for a user with scopes, the way
 * a verified JWT's subject and scopes would.
 */
export function tokenAuth(
  tokens: Record<string, { userId?: string; scopes?: string[]; admin?: boolean }>,
): Authenticator {
  const principal = (token: string | undefined): Principal => {
    const p = token === undefined ? undefined : tokens[token];
    if (!p) throw new UnauthorizedError();
    return { mode: "jwt", userId: p.userId, scopes: new Set(p.scopes ?? []), admin: p.admin ?? false };
  };
  return {
    mode: "jwt",
    authenticate: async (req: FastifyRequest) =>
      principal(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1]),
    authenticateToken: async (token) => principal(token),
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
