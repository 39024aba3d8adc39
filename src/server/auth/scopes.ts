import type { Principal } from "./principal.js";
import type { RouteScope, ScopeResource } from "../route.js";

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
export function hasScope(principal: Principal, scope: RouteScope, id?: string): boolean {
  if (scope === "public" || principal.admin) return true;
  const s = principal.scopes;
  if (s.has(ADMIN_SCOPE)) return true;
  for (const r of names(scope.resource)) {
    if (s.has(`${r}:${scope.action}`) || s.has(`${r}:*:${scope.action}`)) return true;
    if (id !== undefined && s.has(`${r}:${id}:${scope.action}`)) return true;
  }
  return false;
}

/** Whether the principal holds the action on any id of the resource (for filtered listings). */
export function hasAnyScopeFor(principal: Principal, resource: ScopeResource, action: string): boolean {
  if (principal.admin || principal.scopes.has(ADMIN_SCOPE)) return true;
  for (const r of names(resource)) {
    for (const held of principal.scopes) {
      const parts = held.split(":");
      if (parts[0] === r && parts[parts.length - 1] === action) return true;
    }
  }
  return false;
}
