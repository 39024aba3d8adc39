import { ForbiddenError } from "../../errors.js";
import type { Principal } from "./principal.js";
import type { RouteScope, ScopeAction, ScopeResource } from "../route.js";

/** Grants every scope, and sees every user's data. */
export const ADMIN_SCOPE = "agent_os:admin";

/** Resources that answer to two names. */
const ALIASES: Partial<Record<ScopeResource, string[]>> = {
  system: ["system", "config"],
  memories: ["memories", "memory"],
};

function names(resource: ScopeResource): string[] {
  return ALIASES[resource] ?? [resource];
}

/**
 * True when the principal holds the scope: `resource:action`, `resource:*:action`, or
 * `resource:<id>:action` for the given id; the admin scope grants everything.
 */
export function hasScope(
  principal: Principal,
  scope: RouteScope | { resource: ScopeResource; action: ScopeAction },
  id?: string,
): boolean {
  if (scope === "public" || principal.admin) return true;
  const s = principal.scopes;
  if (s.has(ADMIN_SCOPE)) return true;
  for (const r of names(scope.resource)) {
    if (s.has(`${r}:${scope.action}`) || s.has(`${r}:*:${scope.action}`)) return true;
    if (id !== undefined && s.has(`${r}:${id}:${scope.action}`)) return true;
  }
  return false;
}

/** Whether the principal holds the action on the resource for at least one id (for filtered listings). */
export function hasAnyScopeFor(principal: Principal, resource: ScopeResource, action: ScopeAction): boolean {
  if (principal.admin || principal.scopes.has(ADMIN_SCOPE)) return true;
  const accepted = names(resource);
  for (const held of principal.scopes) {
    const parts = held.split(":");
    if ((parts.length === 2 || parts.length === 3) && accepted.includes(parts[0]) && parts.at(-1) === action)
      return true;
  }
  return false;
}

/** The 403 of a caller without the scope, in Agno's words. */
export function insufficientScope(resource: ScopeResource, action: ScopeAction): ForbiddenError {
  return new ForbiddenError(`Insufficient permissions. Required scope(s): ${resource}:${action}`);
}

/** Throws the 403 unless the principal may call a route of this scope (`params` holds its path parameters). */
export function requireScope(
  principal: Principal,
  scope: RouteScope,
  params: Record<string, string | undefined>,
): void {
  if (scope === "public") return;
  const allowed = scope.anyId
    ? hasAnyScopeFor(principal, scope.resource, scope.action)
    : hasScope(principal, scope, scope.idParam ? params[scope.idParam] : undefined);
  if (!allowed) throw insufficientScope(scope.resource, scope.action);
}
