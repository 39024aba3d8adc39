import { z } from "zod";
import { BadRequestError } from "../../errors.js";
import { defineRoute } from "../route.js";
import type { RouteDef } from "../route.js";
import type { MetricsService } from "../services/metrics-service.js";

const date = z.string().max(10).optional().describe("YYYY-MM-DD (UTC)");
const id = z.string().min(1).max(256).optional();

/** `/metrics`: run counts, error rates, latency percentiles and tokens per component and per day. */
export function metricsRoutes(metrics: MetricsService): RouteDef[] {
  return [
    defineRoute({
      method: "GET",
      path: "/metrics",
      summary: "Run metrics per agent, team and workflow, in total and by day",
      description:
        "Over whole UTC days `from`..`to` (default: the last 30). Totals and days count top-level runs " +
        "(with a component filter: that component's runs); each component's figures include its runs as a " +
        "team member or workflow step. Percentiles are nearest-rank, in milliseconds.",
      tags: ["Metrics"],
      scope: { resource: "metrics", action: "read" },
      query: z.object({ from: date, to: date, agent_id: id, team_id: id, workflow_id: id }),
      handler: async ({ query }) => {
        const filters = (
          [
            ["agent", query.agent_id],
            ["team", query.team_id],
            ["workflow", query.workflow_id],
          ] as const
        ).filter(([, v]) => v !== undefined);
        if (filters.length > 1)
          throw new BadRequestError("Give at most one of agent_id, team_id and workflow_id");
        const [kind, value] = filters[0] ?? [];
        return metrics.report({
          from: query.from,
          to: query.to,
          ...(kind && value ? { component: { kind, id: value } } : {}),
        });
      },
    }),
  ];
}
