export { buildApp } from "./app.js";
export type { ServerContext, ServerSettings, OsIdentity } from "./context.js";
export type { RouteDef, RouteScope, RouteInput, SocketInput, HttpMethod, BodyKind } from "./route.js";
export { defineRoute, scopeText } from "./route.js";
export * from "./auth/index.js";
export { toHttpError } from "./error-handler.js";
export { SseResponse, sseFrame } from "./http/sse.js";
