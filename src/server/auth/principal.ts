import { ForbiddenError } from "../../errors.js";
import type { NotFoundError } from "../../errors.js";

/** How a server authenticates its callers. */
export type AuthMode = "none" | "security_key" | "jwt";

/**
 * Who is calling: the result of authentication, used for authorization and data isolation.
 * A principal that is not admin always names a user (`userId`).
 */
export interface Principal {
  /** How the caller was authenticated. */
  mode: AuthMode;
  /** The caller's user id when the credential names one (a JWT's subject). */
  userId?: string;
  /** Granted scopes; empty for modes without scopes. */
  scopes: ReadonlySet<string>;
  /** Sees and may do everything; data is not filtered by user. */
  admin: boolean;
}

/** The caller of an open server: no identity, no limits. */
export const OPEN_PRINCIPAL: Principal = Object.freeze({
  mode: "none",
  scopes: new Set<string>(),
  admin: true,
});

/**
 * The user id a request acts as: a non-admin's own id whatever the request says, else the one
 * the request names (or none). Use it for the `user_id` of runs and writes, and as the filter of lists.
 */
export function actingUserId(principal: Principal, requested: string | undefined | null): string | undefined {
  if (principal.admin) return requested || undefined;
  // A non-admin without a user could otherwise read every user's data through an unfiltered list.
  if (!principal.userId) throw new ForbiddenError("This credential does not name a user");
  return principal.userId;
}

/** True when the principal may see data owned by `ownerUserId`. */
export function canSeeUserData(principal: Principal, ownerUserId: string | null | undefined): boolean {
  if (principal.admin) return true;
  return !!principal.userId && ownerUserId === principal.userId;
}

/**
 * The record when the principal may see it; otherwise the same 404 an absent record gets, so that
 * another user's data cannot even be shown to exist.
 */
export function visibleRecord<T extends { user_id: string | null }>(
  principal: Principal,
  record: T | undefined,
  notFound: () => NotFoundError,
): T {
  if (!record || !canSeeUserData(principal, record.user_id)) throw notFound();
  return record;
}
