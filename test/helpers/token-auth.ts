import type { FastifyRequest } from "fastify";
import { UnauthorizedError } from "../../src/errors.js";
import type { Authenticator, Principal } from "../../src/server/auth/index.js";

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
    authenticate: (req: FastifyRequest) =>
      principal(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1]),
    authenticateToken: principal,
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
