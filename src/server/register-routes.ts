import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { WebSocket } from "ws";
import { errorMessage } from "../errors.js";
import type { Principal } from "./auth/index.js";
import type { ServerContext } from "./context.js";
import { readFormBody } from "./http/form-body.js";
import type { UploadedFile } from "./http/form-body.js";
import { validate } from "./http/validation.js";
import { requestGuard } from "./request-guard.js";
import type { RouteDef, RouteInput } from "./route.js";
import { scopeText } from "./route.js";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    route?: RouteDef;
  }
}

const FORM_TYPES = ["multipart/form-data", "application/x-www-form-urlencoded", "application/json"];

/** Registers the table's routes: each one documented, authenticated, authorized and validated the same way. */
export function registerRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  routes: RouteDef[],
  prefix = "",
): void {
  for (const route of routes) {
    const scope = scopeText(route.scope);
    app.route({
      method: route.method,
      url: prefix + route.path,
      bodyLimit: ctx.settings.limits.maxRequestBytes,
      config: { route },
      schema: {
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        tags: route.tags,
        ...(route.params ? { params: route.params } : {}),
        ...(route.query ? { querystring: route.query } : {}),
        ...(route.headers ? { headers: route.headers } : {}),
        ...(route.body ? { body: route.body } : {}),
        ...(route.bodyKind === "form" ? { consumes: FORM_TYPES } : {}),
        ...(route.responses ? { response: openApiResponses(route) } : {}),
        ...(route.scope === "public" ? { security: [] } : { security: [{ bearer: [] }] }),
        "x-required-scope": scope,
      } as never,
      // Authentication, rate limit and authorization run before the body is read, so a refused upload is never buffered.
      onRequest: requestGuard(ctx, route),
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const files: UploadedFile[] = [];
        let bodyRead: Promise<unknown> | undefined;
        const input: RouteInput<unknown, unknown, unknown, unknown> = {
          params: route.params ? validate(route.params, req.params, "path") : req.params,
          query: route.query ? validate(route.query, req.query, "query") : req.query,
          headers: route.headers ? validate(route.headers, req.headers, "header") : {},
          files,
          principal: req.principal,
          req,
          reply,
          body: () =>
            (bodyRead ??= (async () => {
              if (!route.body) return undefined;
              if (route.bodyKind === "form") {
                const form = await readFormBody(req, ctx.settings.limits);
                files.push(...form.files);
                return validate(route.body, form.fields, "body");
              }
              return validate(route.body, req.body ?? {}, "body");
            })()),
        };
        const result = await route.handler(input);
        if (reply.sent) return reply;
        if (result === undefined) return reply.send();
        return result;
      },
      ...(route.websocket ? { wsHandler: socketHandler(route) } : {}),
    });
  }
}

/** The socket side of a WebSocket route: validated params and query, or a close with code 4400. */
function socketHandler(route: RouteDef) {
  return (socket: WebSocket, req: FastifyRequest) => {
    let params: unknown;
    let query: unknown;
    try {
      params = route.params ? validate(route.params, req.params, "path") : req.params;
      query = route.query ? validate(route.query, req.query, "query") : req.query;
    } catch (err) {
      socket.close(4400, errorMessage(err).slice(0, 120));
      return;
    }
    route.websocket!(socket, { params, query, req });
  };
}

function openApiResponses(route: RouteDef): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const [status, schema] of Object.entries(route.responses ?? {})) {
    out[Number(status)] =
      "contentType" in schema && typeof schema.contentType === "string"
        ? { description: schema.description, content: { [schema.contentType]: { schema: z.string() } } }
        : schema;
  }
  return out;
}
