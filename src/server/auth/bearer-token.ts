import { UnauthorizedError } from "../../errors.js";

/** Longer tokens are refused before any parsing or crypto. */
export const MAX_TOKEN_BYTES = 8 * 1024;

/**
 * The token of an `Authorization: Bearer <token>` header. Throws 401 with `missing` when there is
 * no header, and a 401 naming the expected form when the header is something else.
 */
export function bearerToken(header: string | string[] | undefined, missing: string): string {
  if (header === undefined || header === "") throw new UnauthorizedError(missing);
  const match = typeof header === "string" ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  if (!match) throw new UnauthorizedError("Invalid authorization header: expected 'Bearer <token>'");
  return checkedToken(match[1], missing);
}

/** The token if present and not oversized; 401 otherwise. */
export function checkedToken(token: string | undefined, missing: string): string {
  if (!token) throw new UnauthorizedError(missing);
  if (Buffer.byteLength(token) > MAX_TOKEN_BYTES)
    throw new UnauthorizedError(`Token is too large (over ${MAX_TOKEN_BYTES} bytes)`);
  return token;
}
