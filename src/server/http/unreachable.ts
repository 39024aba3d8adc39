/** Socket errors and PostgreSQL's connection-class codes: the database is away, not the request wrong. */
const NET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"]);
/** 08: connection exception; 57P01-57P03: the server shuts down or is starting. */
const PG_CODE = /^(08\d{3}|57P0[123])$/;
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED|the database system is (shutting down|starting up)/i;

/** True when `err` says a backing service (the database) cannot be reached: answered 503, not 500. */
export function isUnreachable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  if (typeof e.code === "string" && (NET_CODES.has(e.code) || PG_CODE.test(e.code))) return true;
  if (typeof e.message === "string" && MESSAGES.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isUnreachable(e.cause);
}
