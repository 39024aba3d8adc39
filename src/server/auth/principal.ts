/** Who is calling: the result of authentication, used for authorization and data isolation. */
export interface Principal {
  /** How the caller was authenticated. */
  mode: "none" | "security_key" | "jwt";
  /** The caller's user id when the credential names one (a JWT's subject). */
  userId?: string;
  /** Granted scopes; empty for modes without scopes. */
  scopes: ReadonlySet<string>;
  /** Sees and may do everything; data is not filtered by user. */
  admin: boolean;
}

/** The caller of an open server, or one holding the security key: no identity, no limits. */
export const OPEN_PRINCIPAL: Principal = Object.freeze({
  mode: "none",
  scopes: new Set<string>(),
  admin: true,
});

/**
 * The user id a request acts as: a non-admin's own id whatever the request says,
 * else the one the request names (or none).
 */
export function actingUserId(principal: Principal, requested: string | undefined | null): string | undefined {
  if (!principal.admin && principal.userId) return principal.userId;
  return requested || undefined;
}

/** True when the principal may see data owned by `ownerUserId`. */
export function canSeeUserData(principal: Principal, ownerUserId: string | null | undefined): boolean {
  if (principal.admin) return true;
  return !!principal.userId && ownerUserId === principal.userId;
}
