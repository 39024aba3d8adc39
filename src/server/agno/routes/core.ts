import { z } from "zod";
import type { ServerContext } from "../../context.js";
import { defineRoute } from "../../route.js";
import type { RouteDef } from "../../route.js";
import { modelParts, withoutNulls, workflowSummary } from "../../serializers/agno/index.js";
import { databaseIds } from "../databases.js";

/** The Agno release whose API this surface follows (reported as `agno_version`). */
export const AGNO_API_VERSION = "2.9.0";

/** `/`, `/health`, `/info`, `/config`, `/models` in Agno's shapes. */
export function agnoCoreRoutes(ctx: ServerContext): RouteDef[] {
  const instantiatedAt = new Date().toISOString();
  const tags = ["Core"];
  const osDb = ctx.store.id;
  const modelPairs = () => {
    const seen = new Map<string, { id: string; provider: string }>();
    for (const kind of ["agent", "team"] as const)
      for (const c of ctx.components.list(kind)) {
        const m = modelParts(c.info().model);
        if (m) seen.set(`${m.provider}\u0000${m.id}`, m);
      }
    return [...seen.values()];
  };
  const dbsOf = (displayName: string, tables: string[]) => ({
    dbs: [{ db_id: osDb, domain_config: { display_name: displayName }, tables }],
  });
  return [
    defineRoute({
      method: "GET",
      path: "/",
      summary: "What this OS is (Agno's home route)",
      tags,
      scope: "public",
      responses: { 200: z.object({ name: z.string(), id: z.string(), version: z.string() }) },
      handler: () => ({ name: "AgentOS API", id: ctx.os.id, version: ctx.os.version }),
    }),
    defineRoute({
      method: "GET",
      path: "/health",
      summary: "Liveness: always ok while the process serves",
      tags,
      scope: "public",
      rateLimited: false,
      responses: { 200: z.object({ status: z.literal("ok"), instantiated_at: z.string() }) },
      handler: () => ({ status: "ok", instantiated_at: instantiatedAt }),
    }),
    defineRoute({
      method: "GET",
      path: "/info",
      summary: "The OS's id, counts and auth mode",
      tags,
      scope: "public",
      handler: () => ({
        os_id: ctx.os.id,
        name: ctx.os.name,
        agno_version: AGNO_API_VERSION,
        agent_count: ctx.components.count("agent"),
        team_count: ctx.components.count("team"),
        workflow_count: ctx.components.count("workflow"),
        mcp: { enabled: false, path: null, oauth: null },
        auth_mode: ctx.auth.mode,
      }),
    }),
    defineRoute({
      method: "GET",
      path: "/config",
      summary: "ConfigResponse: os_id, databases, per-domain dbs, agents, teams, workflows",
      tags,
      scope: { resource: "system", action: "read" },
      handler: () =>
        withoutNulls({
          os_id: ctx.os.id,
          description: ctx.os.description,
          available_models: ctx.settings.availableModels,
          os_database: osDb,
          databases: databaseIds(ctx),
          session: dbsOf("Sessions", ["sessions"]),
          memory: dbsOf("Memory", ["memories"]),
          knowledge: {
            dbs: [...new Set(ctx.knowledge.list().map((k) => k.store.id))].map((db_id) => ({
              db_id,
              domain_config: { display_name: "Knowledge" },
              tables: ["knowledge_contents"],
            })),
            knowledge_instances: ctx.knowledge.list().map((k) => ({
              id: k.id,
              name: k.knowledge.name,
              description: k.knowledge.description,
              db_id: k.store.id,
              table: "knowledge_contents",
            })),
          },
          agents: ctx.components.list("agent").map((a) => {
            const info = a.info();
            return withoutNulls({
              id: info.id,
              name: info.name,
              description: info.description,
              db_id: info.dbId ?? osDb,
              model: modelParts(info.model),
            });
          }),
          teams: ctx.components.list("team").map((t) => {
            const info = t.info();
            return withoutNulls({
              id: info.id,
              name: info.name,
              description: info.description,
              db_id: info.dbId ?? osDb,
              mode: info.mode ?? null,
              model: modelParts(info.model),
            });
          }),
          workflows: ctx.components.list("workflow").map((w) => workflowSummary(w.info(), osDb)),
          interfaces: [],
        }),
    }),
    defineRoute({
      method: "GET",
      path: "/models",
      summary: "The distinct models of the agents and teams",
      tags,
      scope: { resource: "system", action: "read" },
      responses: { 200: z.array(z.object({ id: z.string(), provider: z.string() })) },
      handler: modelPairs,
    }),
  ];
}
