import { z } from "zod";
import { defineRoute } from "../route.js";
import type { RouteDef } from "../route.js";
import { limitParam } from "../schemas/fields.js";
import { traceDetail, traceListItem } from "../serializers/traces.js";
import type { TraceService } from "../services/trace-service.js";

const id = z.string().min(1).max(256).optional();

/** `/traces`: stored OpenTelemetry traces of runs, newest first, each with its spans. */
export function traceRoutes(traces: TraceService): RouteDef[] {
  return [
    defineRoute({
      method: "GET",
      path: "/traces",
      summary: "List traces of runs, newest first, with their spans",
      tags: ["Traces"],
      scope: { resource: "traces", action: "read" },
      query: z.object({
        run_id: id,
        session_id: id,
        agent_id: id,
        team_id: id,
        workflow_id: id,
        user_id: id,
        status: z.enum(["OK", "ERROR", "UNSET"]).optional(),
        limit: limitParam(100, 1000),
        cursor: z.string().min(1).max(1000).optional(),
      }),
      handler: async ({ query, principal }) => {
        const page = await traces.list(principal, {
          runId: query.run_id,
          sessionId: query.session_id,
          agentId: query.agent_id,
          teamId: query.team_id,
          workflowId: query.workflow_id,
          userId: query.user_id,
          status: query.status,
          limit: query.limit,
          cursor: query.cursor,
        });
        return { traces: page.traces.map(traceListItem), next_cursor: page.nextCursor };
      },
    }),
    defineRoute({
      method: "GET",
      path: "/traces/:trace_id",
      summary: "A trace with its span tree",
      tags: ["Traces"],
      scope: { resource: "traces", action: "read" },
      params: z.object({ trace_id: z.string().min(1).max(256) }),
      handler: async ({ params, principal }) => traceDetail(await traces.get(principal, params.trace_id)),
    }),
  ];
}
