import { z } from "zod";
import type { FastifyInstance } from "fastify";
import "@fastify/swagger";
import type { ServerContext } from "../context.js";
import { defineRoute } from "../route.js";
import type { RouteDef } from "../route.js";

const info = z.object({
  name: z.string(),
  id: z.string(),
  version: z.string(),
  description: z.string().nullable(),
  agent_count: z.number(),
  team_count: z.number(),
  workflow_count: z.number(),
  auth_mode: z.enum(["none", "security_key", "jwt"]),
});

/** `/`, `/info`, `/health`, `/config` and `/openapi.json`. */
export function coreRoutes(ctx: ServerContext, app: () => FastifyInstance): RouteDef[] {
  const describe = () => ({
    name: ctx.os.name,
    id: ctx.os.id,
    version: ctx.os.version,
    description: ctx.os.description,
    agent_count: ctx.components.count("agent"),
    team_count: ctx.components.count("team"),
    workflow_count: ctx.components.count("workflow"),
    auth_mode: ctx.auth.mode,
  });
  const routes: RouteDef[] = [
    defineRoute({
      method: "GET",
      path: "/",
      summary: "What this OS is",
      tags: ["Core"],
      scope: "public",
      responses: { 200: info },
      handler: describe,
    }),
    defineRoute({
      method: "GET",
      path: "/info",
      summary: "What this OS is (same as /)",
      tags: ["Core"],
      scope: "public",
      responses: { 200: info },
      handler: describe,
    }),
    defineRoute({
      method: "GET",
      path: "/health",
      summary: "Whether the OS can serve: 200 healthy, 503 when its database (or Redis) cannot be reached",
      tags: ["Core"],
      scope: "public",
      rateLimited: false,
      responses: {
        200: z.object({ status: z.literal("healthy") }),
        503: z.object({ status: z.literal("unhealthy"), detail: z.string() }),
      },
      handler: async ({ reply }) => {
        try {
          await ctx.store.ping();
        } catch (err) {
          reply.code(503);
          return { status: "unhealthy", detail: `database unreachable: ${(err as Error).message}` };
        }
        try {
          await ctx.runs.bus.ping?.();
        } catch (err) {
          reply.code(503);
          return { status: "unhealthy", detail: (err as Error).message };
        }
        return { status: "healthy" };
      },
    }),
    defineRoute({
      method: "GET",
      path: "/config",
      summary: "The OS's configuration: models, databases, agents, teams, workflows",
      tags: ["Core"],
      scope: { resource: "system", action: "read" },
      handler: () => ({
        id: ctx.os.id,
        os_id: ctx.os.id,
        name: ctx.os.name,
        description: ctx.os.description,
        available_models: ctx.settings.availableModels,
        databases: [...new Set([ctx.store.id, ...ctx.knowledge.stores().map((db) => db.id)])],
        agents: ctx.components.list("agent").map((a) => ({ id: a.id, name: a.name, model: a.info().model })),
        teams: ctx.components.list("team").map((t) => ({ id: t.id, name: t.name })),
        workflows: ctx.components.list("workflow").map((w) => ({ id: w.id, name: w.name })),
        session: { dbs: [{ db_id: ctx.store.id, domain_config: { display_name: "Sessions" } }] },
        knowledge: {
          knowledge_instances: ctx.knowledge.list().map((k) => ({
            id: k.id,
            name: k.knowledge.name,
            description: k.knowledge.description,
            db_id: k.store.id,
          })),
        },
      }),
    }),
  ];
  if (ctx.settings.docs) {
    routes.push(
      defineRoute({
        method: "GET",
        path: "/openapi.json",
        summary: "The OpenAPI 3 document of this server",
        tags: ["Core"],
        scope: "public",
        rateLimited: false,
        handler: () => app().swagger(),
      }),
    );
  }
  return routes;
}
