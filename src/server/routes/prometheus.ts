import { UnavailableError } from "../../errors.js";
import type { ServerContext } from "../context.js";
import { defineRoute } from "../route.js";
import type { RouteDef } from "../route.js";

/** `/metrics/prometheus`: the OS's series in Prometheus's text format. */
export function prometheusRoutes(ctx: ServerContext): RouteDef[] {
  return [
    defineRoute({
      method: "GET",
      path: "/metrics/prometheus",
      summary: "Prometheus metrics: HTTP durations, runs, run durations, tokens, active runs, open streams",
      tags: ["Metrics"],
      scope: { resource: "metrics", action: "read" },
      responses: { 200: { description: "Prometheus text format 0.0.4", contentType: "text/plain" } },
      handler: async ({ reply }) => {
        const metrics = ctx.prometheus;
        if (!metrics) throw new UnavailableError("Prometheus metrics are not enabled");
        reply.type(metrics.contentType);
        return metrics.text();
      },
    }),
  ];
}
