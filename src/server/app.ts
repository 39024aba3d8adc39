import Fastify from "fastify";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import cors from "@fastify/cors";
import multipart from "@fastify/multipart";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import websocket from "@fastify/websocket";
import { newId } from "../ids.js";
import type { ServerContext } from "./context.js";
import { installErrorHandler } from "./error-handler.js";
import { zodToOpenApi } from "./openapi.js";
import { corsOptions } from "./http/cors.js";
import { parseUrlEncoded } from "./http/form-body.js";
import { registerRoutes } from "./register-routes.js";
import type { RouteDef } from "./route.js";
import { rootRouteTable } from "./route-table.js";
import { requestSerializer } from "../telemetry/logging/index.js";

/** The largest WebSocket frame a client may send (a run request is small). */
const WS_MAX_FRAME_BYTES = 1024 * 1024;

export interface BuiltApp {
  app: FastifyInstance;
  routes: RouteDef[];
}

/** Builds the Fastify server of one OS from its route table. No I/O until it listens. */
export async function buildApp(ctx: ServerContext): Promise<BuiltApp> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    requestIdHeader: "x-request-id",
    genReqId: () => newId(),
    // Request logs never carry credentials (a WebSocket's ?token=), headers or bodies.
    childLoggerFactory: (logger, bindings, opts) =>
      logger.child(bindings, { ...opts, serializers: { ...opts.serializers, req: requestSerializer } }),
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    bodyLimit: ctx.settings.limits.maxRequestBytes,
    forceCloseConnections: true,
    // Fastify also takes a hop count; its types omit it.
    trustProxy: ctx.settings.trustProxy as boolean | string[],
  });
  // Handlers validate with zod themselves (form, multipart and JSON alike) and return plain JSON.
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });
  const prometheus = ctx.prometheus;
  if (prometheus)
    app.addHook("onResponse", async (req, reply) => {
      // The route pattern, not the URL: ids would make a series per request.
      prometheus.observeRequest(
        req.method,
        req.routeOptions.url ?? "unmatched",
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
    });
  installErrorHandler(app);
  // Its onRequest hook runs before every route's auth, so preflights and error answers carry CORS headers.
  await app.register(cors, corsOptions(ctx.settings.corsOrigins));

  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, parseUrlEncoded(body as string));
  });
  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: { fileSize: ctx.settings.limits.maxFileBytes },
  });

  // Registered before the routes, so that WebSocket routes of the table can take upgrades.
  await app.register(websocket, {
    options: { maxPayload: WS_MAX_FRAME_BYTES },
    errorHandler: (err, socket) => {
      // A client that vanished mid-frame is routine; the socket is dropped either way.
      ctx.logger.debug({ err }, "websocket error");
      socket.terminate();
    },
  });

  const routes = rootRouteTable(ctx, () => app);
  if (ctx.settings.docs) {
    await app.register(swagger, {
      openapi: {
        openapi: "3.0.3",
        info: {
          title: ctx.os.name,
          description: ctx.os.description ?? "AgentOS API",
          version: ctx.os.version,
        },
        components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      },
      transform: zodToOpenApi as never,
    });
    await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true });
  }
  registerRoutes(app, ctx, routes);
  installNotFound(app, routes);
  return { app, routes };
}

/** Unknown paths are 404; a known path with another method is 405 with Allow. */
function installNotFound(app: FastifyInstance, routes: RouteDef[]): void {
  const patterns = routes.map((r) => ({ method: r.method, re: pathRegex(r.path) }));
  app.setNotFoundHandler((req, reply) => {
    const path = (req.url.split("?")[0] || "/").replace(/\/+$/, "") || "/";
    const allowed = [...new Set(patterns.filter((p) => p.re.test(path)).map((p) => p.method))];
    if (allowed.length) {
      return reply.code(405).header("allow", allowed.join(", ")).send({ detail: "Method Not Allowed" });
    }
    return reply.code(404).send({ detail: "Not Found" });
  });
}

function pathRegex(path: string): RegExp {
  const body = path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z0-9_]+/g, "[^/]+");
  return new RegExp(`^${body}$`);
}
