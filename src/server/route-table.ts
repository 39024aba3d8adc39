import type { FastifyInstance } from "fastify";
import type { ServerContext } from "./context.js";
import type { RouteDef } from "./route.js";
import { agnoRouteTable } from "./agno/index.js";
import { componentRoutes } from "./routes/components.js";
import { coreRoutes } from "./routes/core.js";
import { knowledgeRoutes } from "./routes/knowledge.js";
import { memoryRoutes } from "./routes/memories.js";
import { metricsRoutes } from "./routes/metrics.js";
import { prometheusRoutes } from "./routes/prometheus.js";
import { sessionRoutes } from "./routes/sessions.js";
import { traceRoutes } from "./routes/traces.js";
import { websocketRoutes } from "./routes/websockets.js";
import { IdempotentRuns } from "./services/idempotency.js";
import { KnowledgeService } from "./services/knowledge-service.js";
import { MemoryService } from "./services/memory-service.js";
import { MetricsService } from "./services/metrics-service.js";
import { RunService } from "./services/run-service.js";
import { SessionService } from "./services/session-service.js";
import { TraceService } from "./services/trace-service.js";

/** The one route table: every route the server answers is in it, the /agno surface's too. */
export function rootRouteTable(ctx: ServerContext, app: () => FastifyInstance): RouteDef[] {
  const runs = new RunService(ctx);
  const idempotent = new IdempotentRuns(ctx, ctx.settings.idempotencyKeyTtlMs);
  const sessions = new SessionService(ctx);
  const memories = new MemoryService(ctx);
  const prefix = ctx.settings.agnoPrefix;
  return [
    ...coreRoutes(ctx, app),
    ...componentRoutes(ctx, runs, idempotent, "agent"),
    ...componentRoutes(ctx, runs, idempotent, "team"),
    ...componentRoutes(ctx, runs, idempotent, "workflow"),
    ...sessionRoutes(ctx, sessions),
    ...websocketRoutes(ctx, runs),
    ...memoryRoutes(memories),
    ...knowledgeRoutes(new KnowledgeService(ctx)),
    ...traceRoutes(new TraceService(ctx)),
    ...metricsRoutes(new MetricsService(ctx)),
    ...prometheusRoutes(ctx),
    // The Agno-compatible surface, on the same services (off when its prefix is null).
    ...(prefix ? agnoRouteTable(ctx, { runs, sessions, memories }, prefix) : []),
  ];
}
