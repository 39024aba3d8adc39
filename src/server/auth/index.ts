export type { AuthMode, Principal } from "./principal.js";
export { OPEN_PRINCIPAL, actingUserId, canSeeUserData, visibleRecord } from "./principal.js";
export { hasScope, hasAnyScopeFor, requireScope, insufficientScope, ADMIN_SCOPE } from "./scopes.js";
export type { Authenticator, RequestCredentials } from "./authenticator.js";
export { OpenAuthenticator } from "./authenticator.js";
export { SecurityKeyAuthenticator } from "./security-key-authenticator.js";
// The JWT modules load jose; import them directly (createAuthenticator loads them on demand).
export type { JwtAuthenticator, JwtClaimSettings } from "./jwt-authenticator.js";
export type { JwtAlgorithm, JwtKeySettings, JwtKeys } from "./jwt-keys.js";
export { MAX_TOKEN_BYTES } from "./bearer-token.js";
export { readAuthEnv, mergeAuthSettings, authModeOf, createAuthenticator } from "./auth-settings.js";
export type { AuthSettings, JwtSettings } from "./auth-settings.js";
