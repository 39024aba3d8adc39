import { BadRequestError } from "../../errors.js";
import type { ComponentKind } from "../../run/index.js";
import type { ComponentMetrics, MetricsReport } from "../../storage/index.js";
import type { ServerContext } from "../context.js";

const DAY_MS = 86_400_000;

export interface MetricsRequest {
  from?: string;
  to?: string;
  component?: { kind: ComponentKind; id: string };
}

/** `/metrics`: aggregates of stored runs over whole UTC days (default: the last 30). */
export class MetricsService {
  constructor(private readonly ctx: ServerContext) {}

  async report(req: MetricsRequest, now = Date.now()) {
    const toDay = req.to ? dayOf(req.to, "to") : Math.floor(now / DAY_MS) * DAY_MS;
    const fromDay = req.from ? dayOf(req.from, "from") : toDay - 29 * DAY_MS;
    if (fromDay > toDay) throw new BadRequestError("'from' is after 'to'");
    const report = await this.ctx.store.metrics.aggregate({
      fromMs: fromDay,
      toMs: toDay + DAY_MS,
      ...(req.component ? { component: req.component } : {}),
    });
    return this.#shape(report, fromDay, toDay);
  }

  #shape(report: MetricsReport, fromDay: number, toDay: number) {
    const of = (kind: ComponentKind) =>
      report.components.filter((c) => c.kind === kind).map((c) => this.#component(c));
    return {
      from: day(fromDay),
      to: day(toDay),
      totals: report.totals,
      agents: of("agent"),
      teams: of("team"),
      workflows: of("workflow"),
      daily: report.daily,
    };
  }

  #component(c: ComponentMetrics) {
    return {
      id: c.id,
      name: this.ctx.components.find(c.kind, c.id)?.name ?? c.id,
      runs: c.runs,
      completed: c.completed,
      errors: c.errors,
      cancelled: c.cancelled,
      error_rate: c.runs ? Math.round((c.errors / c.runs) * 10_000) / 10_000 : 0,
      latency_ms: c.latency_ms,
      time_to_first_token_ms: { p50: c.time_to_first_token_ms.p50, p95: c.time_to_first_token_ms.p95 },
      input_tokens: c.input_tokens,
      output_tokens: c.output_tokens,
    };
  }
}

function dayOf(text: string, field: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || day(ms) !== text) throw new BadRequestError(`'${field}' must be a date YYYY-MM-DD`);
  return ms;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
