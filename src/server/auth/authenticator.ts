import type { IncomingHttpHeaders } from "node:http";
import type { AuthMode, Principal } from "./principal.js";
import { OPEN_PRINCIPAL } from "./principal.js";

/** What an authenticator reads of a request: its headers (a FastifyRequest is one). */
export interface RequestCredentials {
  headers: IncomingHttpHeaders;
}

/** Turns a request's credentials into a Principal, or rejects with UnauthorizedError (401). */
export interface Authenticator {
  readonly mode: AuthMode;
  authenticate(req: RequestCredentials): Promise<Principal>;
  /** For WebSockets and other places that carry the token outside the Authorization header. */
  authenticateToken(token: string | undefined): Promise<Principal>;
}

/** No auth configured: every caller is trusted. */
export class OpenAuthenticator implements Authenticator {
  readonly mode = "none" as const;
  async authenticate(): Promise<Principal> {
    return OPEN_PRINCIPAL;
  }
  async authenticateToken(): Promise<Principal> {
    return OPEN_PRINCIPAL;
  }
}
