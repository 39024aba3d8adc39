import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { ComponentKind } from "../../run/index.js";
import type {
  ComponentMetrics,
  DailyMetrics,
  MetricsQuery,
  MetricsReport,
  MetricsStore,
  Percentiles,
} from "../metrics-store.js";
import type { Database } from "./schema.js";

const DAY_MS = 86_400_000;
const ENDED = ["COMPLETED", "ERROR", "CANCELLED"];

/** Aggregates over the runs' indexed columns (never their bodies); percentiles by nearest rank. */
export class SqlMetricsStore implements MetricsStore {
  constructor(private readonly db: () => Kysely<Database>) {}

  async aggregate(q: MetricsQuery): Promise<MetricsReport> {
    const [components, latency, ttft, daily] = await Promise.all([
      this.#components(q),
      this.#percentiles(q, "duration_ms", [50, 95, 99]),
      this.#percentiles(q, "ttft_ms", [50, 95]),
      this.#daily(q),
    ]);
    const totals = { runs: 0, errors: 0, input_tokens: 0, output_tokens: 0 };
    for (const d of daily) {
      totals.runs += d.runs;
      totals.errors += d.errors;
      totals.input_tokens += d.input_tokens;
      totals.output_tokens += d.output_tokens;
    }
    return {
      totals,
      components: components.map((c) => ({
        ...c,
        latency_ms: latency.get(key(c.kind, c.id)) ?? { p50: null, p95: null, p99: null },
        time_to_first_token_ms: ttft.get(key(c.kind, c.id)) ?? { p50: null, p95: null, p99: null },
      })),
      daily,
    };
  }

  #base(q: MetricsQuery) {
    let query = this.db()
      .selectFrom("runs")
      .where("created_at", ">=", q.fromMs)
      .where("created_at", "<", q.toMs);
    if (q.component)
      query = query.where("component_kind", "=", q.component.kind).where("component_id", "=", q.component.id);
    return query;
  }

  async #components(
    q: MetricsQuery,
  ): Promise<Omit<ComponentMetrics, "latency_ms" | "time_to_first_token_ms">[]> {
    const rows = await this.#base(q)
      .select([
        "component_kind",
        "component_id",
        sql<number>`count(*)`.as("runs"),
        sql<number>`sum(case when status = 'COMPLETED' then 1 else 0 end)`.as("completed"),
        sql<number>`sum(case when status = 'ERROR' then 1 else 0 end)`.as("errors"),
        sql<number>`sum(case when status = 'CANCELLED' then 1 else 0 end)`.as("cancelled"),
        sql<number>`sum(input_tokens)`.as("input_tokens"),
        sql<number>`sum(output_tokens)`.as("output_tokens"),
      ])
      .groupBy(["component_kind", "component_id"])
      .orderBy("component_kind")
      .orderBy("component_id")
      .execute();
    return rows.map((r) => ({
      kind: r.component_kind as ComponentKind,
      id: r.component_id,
      runs: Number(r.runs),
      completed: Number(r.completed),
      errors: Number(r.errors),
      cancelled: Number(r.cancelled),
      input_tokens: Number(r.input_tokens),
      output_tokens: Number(r.output_tokens),
    }));
  }

  /** The values at the nearest ranks ceil(p/100 * n), per component, ranked in the database. */
  async #percentiles(
    q: MetricsQuery,
    column: "duration_ms" | "ttft_ms",
    ps: number[],
  ): Promise<Map<string, Percentiles>> {
    let inner = this.#base(q)
      .select([
        "component_kind",
        "component_id",
        sql<number>`${sql.ref(column)}`.as("v"),
        sql<number>`row_number() over (partition by component_kind, component_id order by ${sql.ref(column)})`.as(
          "rn",
        ),
        sql<number>`count(*) over (partition by component_kind, component_id)`.as("n"),
      ])
      .where(column, "is not", null);
    if (column === "duration_ms") inner = inner.where("status", "in", ENDED);
    const rankOf = (p: number) => sql<number>`(n * ${sql.lit(p)} + 99) / 100`;
    const rows = await this.db()
      .selectFrom(inner.as("t"))
      .select(["component_kind", "component_id", "v", "rn", "n"])
      .where((eb) => eb.or(ps.map((p) => eb("rn", "=", rankOf(p)))))
      .execute();
    const out = new Map<string, Percentiles>();
    for (const r of rows) {
      const k = key(r.component_kind, r.component_id);
      const entry = out.get(k) ?? { p50: null, p95: null, p99: null };
      const n = Number(r.n);
      for (const p of ps)
        if (Math.ceil((n * p) / 100) === Number(r.rn)) entry[`p${p}` as keyof Percentiles] = Number(r.v);
      out.set(k, entry);
    }
    return out;
  }

  async #daily(q: MetricsQuery): Promise<DailyMetrics[]> {
    let query = this.#base(q);
    // Without a component: requests, not the team members and steps they ran (their tokens are in their parents').
    if (!q.component) query = query.where("parent_run_id", "is", null);
    const day = sql<number>`created_at / ${sql.lit(DAY_MS)}`;
    const rows = await query
      .select([
        day.as("day"),
        sql<number>`count(*)`.as("runs"),
        sql<number>`sum(case when status = 'ERROR' then 1 else 0 end)`.as("errors"),
        sql<number>`sum(input_tokens)`.as("input_tokens"),
        sql<number>`sum(output_tokens)`.as("output_tokens"),
        sql<number>`count(distinct user_id)`.as("users"),
      ])
      .groupBy(day)
      .orderBy(day)
      .execute();
    return rows.map((r) => ({
      date: new Date(Number(r.day) * DAY_MS).toISOString().slice(0, 10),
      runs: Number(r.runs),
      errors: Number(r.errors),
      input_tokens: Number(r.input_tokens),
      output_tokens: Number(r.output_tokens),
      users: Number(r.users),
    }));
  }
}

function key(kind: string, id: string): string {
  return `${kind}\u0000${id}`;
}
