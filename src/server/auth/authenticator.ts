import type { FastifyRequest } from "fastify";
import type { Principal } from "./principal.js";
import { OPEN_PRINCIPAL } from "./principal.js";

/** Turns a request's credentials into a Principal, or throws UnauthorizedError. */
export interface Authenticator {
  readonly mode: Principal["mode"];
  authenticate(req: FastifyRequest): Promise<Principal> | Principal;
  /** For WebSockets and other places that carry a token outside the Authorization header. */
  authenticateToken(token: string | undefined): Promise<Principal> | Principal;
}

/** No auth configured: every caller is trusted. */
export class OpenAuthenticator implements Authenticator {
  readonly mode = "none" as const;
  authenticate(): Principal {
    return OPEN_PRINCIPAL;
  }
  authenticateToken(): Principal {
    return OPEN_PRINCIPAL;
  }
}
