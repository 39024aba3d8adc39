import type { FastifyReply, FastifyRequest } from "fastify";
import type { WebSocket } from "ws";
import type { z } from "zod";
import type { Principal } from "./auth/principal.js";
import type { UploadedFile } from "./http/form-body.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type ScopeResource =
  "system" | "agents" | "teams" | "workflows" | "sessions" | "memories" | "knowledge" | "metrics" | "traces";
export type ScopeAction = "read" | "run" | "write" | "delete";

/**
 * Who may call a route: public, or a scope, optionally per resource id (taken from a path parameter).
 * `anyId`: the handler filters its answer per id, so holding the action on any one id admits the caller.
 */
export type RouteScope =
  "public" | { resource: ScopeResource; action: ScopeAction; idParam?: string; anyId?: boolean };

/** How the request body is read. */
export type BodyKind = "none" | "json" | "form";

export interface RouteInput<P, Q, B, H = Record<string, unknown>> {
  params: P;
  query: Q;
  /** The headers the route declares, validated. */
  headers: H;
  /**
   * Reads and validates the body. Lazy, so a handler can refuse a request (unknown id) before
   * an upload is read.
   */
  body(): Promise<B>;
  /** Files of a form body, in the order they arrived; filled once body() has resolved. */
  files: UploadedFile[];
  principal: Principal;
  req: FastifyRequest;
  reply: FastifyReply;
}

/** What a WebSocket route's handler gets: the validated params and query of the upgrade request. */
export interface SocketInput<P, Q> {
  params: P;
  query: Q;
  req: FastifyRequest;
}

/** One route as data: the table registers it, documents it and protects it. */
export interface RouteDef<P = any, Q = any, B = any, H = any> {
  method: HttpMethod;
  /** Fastify path syntax: /agents/:agent_id */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  scope: RouteScope;
  /** The surface the route belongs to, which words its errors: the root's (default) or Agno's. */
  surface?: "root" | "agno";
  /** Counted by the optional rate limit. Default true; health and docs opt out. */
  rateLimited?: boolean;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  /** Request headers the route reads (documented; validated, 422 when malformed). */
  headers?: z.ZodType<H>;
  bodyKind?: BodyKind;
  body?: z.ZodType<B>;
  /** Response schemas by status, for the OpenAPI document. */
  responses?: Record<number, z.ZodType | { description: string; contentType: string }>;
  /** Returns the JSON body (status 200 unless the handler sets one), or undefined after taking over the reply. */
  handler(input: RouteInput<P, Q, B, H>): Promise<unknown> | unknown;
  /**
   * Makes this a WebSocket route (method GET): takes over each upgraded socket, while `handler`
   * answers a plain HTTP request. The socket authenticates itself (a `?token=`, since browsers
   * cannot set headers on a WebSocket) and checks `scope`.
   */
  websocket?(socket: WebSocket, input: SocketInput<P, Q>): void;
}

/** Helps TypeScript infer a route's types from its schemas. */
export function defineRoute<P = unknown, Q = unknown, B = unknown, H = unknown>(
  route: RouteDef<P, Q, B, H>,
): RouteDef<P, Q, B, H> {
  return route;
}

/** The scope a route requires, as text: "agents:read", "agents:{agent_id}:run" or "public". */
export function scopeText(scope: RouteScope): string {
  if (scope === "public") return "public";
  return scope.idParam
    ? `${scope.resource}:{${scope.idParam}}:${scope.action}`
    : `${scope.resource}:${scope.action}`;
}
