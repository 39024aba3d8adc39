import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isUnreachable } from "./http/unreachable.js";
import { AgentOSError, RateLimitedError, UnauthorizedError, ValidationError } from "../errors.js";
import { agnoErrorBody } from "./agno/errors.js";

/** Fastify's own errors that are the client's fault, by code. */
const CLIENT_ERRORS: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, "Request body is too large"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, "Unsupported content type"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, "Invalid Content-Length"],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, "Body cannot be empty when content-type is set to 'application/json'"],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, "Invalid JSON body"],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [400, "Invalid multipart request"],
  FST_REQ_FILE_TOO_LARGE: [413, "File is too large"],
  FST_PARTS_LIMIT: [413, "Too many parts in the form"],
  FST_FILES_LIMIT: [413, "Too many files in the form"],
  FST_FIELDS_LIMIT: [413, "Too many fields in the form"],
  FST_PROTO_VIOLATION: [400, "Prohibited field name"],
};

export interface ErrorBody {
  detail: unknown;
  request_id?: string;
}

/** The one place where errors become HTTP answers: `{"detail": ...}` with the right status. */
export function toHttpError(
  err: unknown,
  requestId: string,
): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (err instanceof ValidationError) return { status: 422, body: { detail: err.issues } };
  if (err instanceof RateLimitedError) {
    return {
      status: 429,
      body: { detail: err.message },
      headers: { "retry-after": String(Math.max(1, Math.ceil(err.retryAfterSeconds))) },
    };
  }
  if (err instanceof UnauthorizedError) {
    // RFC 6750: a 401 names the scheme the client should use.
    return { status: 401, body: { detail: err.message }, headers: { "www-authenticate": "Bearer" } };
  }
  if (err instanceof AgentOSError) return { status: err.status, body: { detail: err.message } };
  if (isUnreachable(err))
    return {
      status: 503,
      body: { detail: "The database cannot be reached; try again later" },
      headers: { "retry-after": "5" },
    };
  const fe = err as Partial<FastifyError> & { type?: string };
  if (fe.code && CLIENT_ERRORS[fe.code]) {
    const [status, detail] = CLIENT_ERRORS[fe.code];
    return { status, body: { detail } };
  }
  if (err instanceof SyntaxError || fe.type === "entity.parse.failed")
    return { status: 400, body: { detail: "Invalid JSON body" } };
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { detail: fe.message ?? "Bad Request" } };
  }
  return { status: 500, body: { detail: "Internal Server Error", request_id: requestId } };
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const mapped = toHttpError(err, String(req.id));
    const { status, headers } = mapped;
    // Each surface words its errors its own way: the /agno routes as Agno does.
    const body =
      req.routeOptions.config?.route?.surface === "agno"
        ? agnoErrorBody(err, status, mapped.body)
        : mapped.body;
    if (status >= 500) req.log.error({ err }, "request failed");
    else
      req.log.info(
        { status, detail: typeof body.detail === "string" ? body.detail : "validation error" },
        "request refused",
      );
    if (headers) void reply.headers(headers);
    // Refused before its body was read (401, 403, 413, ...): close, or Node would read the rest to reuse the socket.
    if (status === 413 || !req.raw.complete) void reply.header("connection", "close");
    return reply.code(status).send(body);
  });
}
