export type { Principal } from "./principal.js";
export { OPEN_PRINCIPAL, actingUserId, canSeeUserData } from "./principal.js";
export { hasScope, hasAnyScopeFor, ADMIN_SCOPE } from "./scopes.js";
export type { Authenticator } from "./authenticator.js";
export { OpenAuthenticator } from "./authenticator.js";
