import type { FastifyReply, FastifyRequest } from "fastify";
import type { Principal } from "./auth/index.js";
import { OPEN_PRINCIPAL, requireScope } from "./auth/index.js";
import type { ServerContext } from "./context.js";
import type { RouteDef } from "./route.js";

/**
 * A route's `onRequest` hook: authenticates, counts the caller against the rate limit, and checks
 * the route's scope, all before any body is read.
 */
export function requestGuard(ctx: ServerContext, route: RouteDef) {
  const limited = !!ctx.rateLimiter && route.rateLimited !== false;
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // A WebSocket authenticates in its handler: browsers cannot send headers on one, and a refusal is a close code.
    if (route.scope === "public" || route.websocket) {
      req.principal = OPEN_PRINCIPAL;
      if (limited) await countRequest(ctx, req, reply, undefined);
      return;
    }
    let principal: Principal | undefined;
    let refusal: unknown;
    try {
      principal = await ctx.auth.authenticate(req);
    } catch (err) {
      refusal = err;
    }
    // A refused credential still counts against the caller's address, so guessing keys is limited too.
    if (limited) await countRequest(ctx, req, reply, principal);
    if (!principal) throw refusal;
    req.principal = principal;
    requireScope(principal, route.scope, req.params as Record<string, string>);
  };
}

/** Per user when the credential names one, else per client address. */
async function countRequest(
  ctx: ServerContext,
  req: FastifyRequest,
  reply: FastifyReply,
  principal: Principal | undefined,
): Promise<void> {
  const key = principal?.userId ? `user:${principal.userId}` : `ip:${req.ip}`;
  const state = await ctx.rateLimiter!.hit(key);
  void reply.headers({
    "x-ratelimit-limit": String(state.limit),
    "x-ratelimit-remaining": String(state.remaining),
    "x-ratelimit-reset": String(Math.ceil(state.resetAt / 1000)),
  });
}
