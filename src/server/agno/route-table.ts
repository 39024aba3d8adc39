import type { ServerContext } from "../context.js";
import type { RouteDef } from "../route.js";
import type { MemoryService } from "../services/memory-service.js";
import type { RunService } from "../services/run-service.js";
import type { SessionService } from "../services/session-service.js";
import { agnoComponentRoutes } from "./routes/components.js";
import { agnoCoreRoutes } from "./routes/core.js";
import { agnoMemoryRoutes } from "./routes/memories.js";
import { agnoSessionRoutes } from "./routes/sessions.js";
import { agnoWorkflowSocketRoutes } from "./routes/workflow-socket.js";

/** The services the root surface uses too: both surfaces share them, only the shapes differ. */
export interface SharedServices {
  runs: RunService;
  sessions: SessionService;
  memories: MemoryService;
}

/** The Agno-compatible surface under `prefix`: its routes, tagged so that their errors take Agno's shapes. */
export function agnoRouteTable(ctx: ServerContext, services: SharedServices, prefix: string): RouteDef[] {
  const routes = [
    ...agnoCoreRoutes(ctx),
    ...agnoComponentRoutes(ctx, services.runs, "agent"),
    ...agnoComponentRoutes(ctx, services.runs, "team"),
    // Before /workflows/:workflow_id in the table (the router prefers the static path either way).
    ...agnoWorkflowSocketRoutes(ctx, services.runs),
    ...agnoComponentRoutes(ctx, services.runs, "workflow"),
    ...agnoSessionRoutes(ctx, services.sessions),
    ...agnoMemoryRoutes(ctx, services.memories),
  ];
  return routes.map((r) => ({
    ...r,
    path: r.path === "/" ? prefix : prefix + r.path,
    tags: r.tags.map((t) => `Agno ${t}`),
    surface: "agno" as const,
  }));
}
