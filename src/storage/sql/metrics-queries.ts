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
import { DAY_MS } from "./run-rollups.js";
import type { Database } from "./schema.js";

const ENDED = ["COMPLETED", "ERROR", "CANCELLED"];
const NONE: Percentiles = { p50: null, p95: null, p99: null };

type Counted = Omit<ComponentMetrics, "latency_ms" | "time_to_first_token_ms"> & {
  latency_count: number;
  ttft_count: number;
};

/**
 * Counts and tokens from the daily roll-ups; percentiles by nearest rank, each one value read at its
 * rank along the runs' (component, duration) index: no run bodies, no sort of the runs.
 * The range is taken in whole UTC days.
 */
export class SqlMetricsStore implements MetricsStore {
  constructor(private readonly db: () => Kysely<Database>) {}

  async aggregate(q: MetricsQuery): Promise<MetricsReport> {
    const [counted, daily] = await Promise.all([this.#components(q), this.#daily(q)]);
    const components = await Promise.all(
      counted.map(async ({ latency_count, ttft_count, ...c }) => ({
        ...c,
        latency_ms: await this.#percentiles(q, c, "duration_ms", latency_count, [50, 95, 99]),
        time_to_first_token_ms: await this.#percentiles(q, c, "ttft_ms", ttft_count, [50, 95]),
      })),
    );
    const totals = { runs: 0, errors: 0, input_tokens: 0, output_tokens: 0 };
    for (const d of daily) {
      totals.runs += d.runs;
      totals.errors += d.errors;
      totals.input_tokens += d.input_tokens;
      totals.output_tokens += d.output_tokens;
    }
    return { totals, components, daily };
  }

  #days(q: MetricsQuery) {
    return { from: Math.floor(q.fromMs / DAY_MS), to: Math.ceil(q.toMs / DAY_MS) };
  }

  #rollups(q: MetricsQuery) {
    const days = this.#days(q);
    let query = this.db().selectFrom("run_rollups").where("day", ">=", days.from).where("day", "<", days.to);
    if (q.component)
      query = query.where("component_kind", "=", q.component.kind).where("component_id", "=", q.component.id);
    return query;
  }

  async #components(q: MetricsQuery): Promise<Counted[]> {
    const sum = (c: string) => sql<number>`sum(${sql.ref(c)})`;
    const rows = await this.#rollups(q)
      .select([
        "component_kind",
        "component_id",
        sum("runs").as("runs"),
        sum("completed").as("completed"),
        sum("errors").as("errors"),
        sum("cancelled").as("cancelled"),
        sum("input_tokens").as("input_tokens"),
        sum("output_tokens").as("output_tokens"),
        sum("latency_count").as("latency_count"),
        sum("ttft_count").as("ttft_count"),
      ])
      .groupBy(["component_kind", "component_id"])
      .orderBy("component_kind")
      .orderBy("component_id")
      .execute();
    return rows
      .map((r) => ({
        kind: r.component_kind as ComponentKind,
        id: r.component_id,
        runs: Number(r.runs),
        completed: Number(r.completed),
        errors: Number(r.errors),
        cancelled: Number(r.cancelled),
        input_tokens: Number(r.input_tokens),
        output_tokens: Number(r.output_tokens),
        latency_count: Number(r.latency_count),
        ttft_count: Number(r.ttft_count),
      }))
      .filter((r) => r.runs > 0);
  }

  /** The values at ranks ceil(p/100 * n), each read at its offset along the index. */
  async #percentiles(
    q: MetricsQuery,
    c: { kind: ComponentKind; id: string },
    column: "duration_ms" | "ttft_ms",
    n: number,
    ps: number[],
  ): Promise<Percentiles> {
    if (n <= 0) return { ...NONE };
    const days = this.#days(q);
    const out: Percentiles = { ...NONE };
    for (const p of ps) {
      let query = this.db()
        .selectFrom("runs")
        .select(column)
        .where("component_kind", "=", c.kind)
        .where("component_id", "=", c.id)
        .where(column, "is not", null)
        .where("created_at", ">=", days.from * DAY_MS)
        .where("created_at", "<", days.to * DAY_MS);
      if (column === "duration_ms") query = query.where("status", "in", ENDED);
      // From whichever end is nearer: p99 walks 1% of the index, not 99%.
      const rank = Math.ceil((n * p) / 100);
      const fromTop = rank > n / 2;
      const row = await query
        .orderBy(column, fromTop ? "desc" : "asc")
        .limit(1)
        .offset(fromTop ? n - rank : rank - 1)
        .executeTakeFirst();
      const v = row?.[column];
      out[`p${p}` as keyof Percentiles] = v === undefined || v === null ? null : Number(v);
    }
    return out;
  }

  async #daily(q: MetricsQuery): Promise<DailyMetrics[]> {
    // Without a component: requests, not the team members and steps they ran (their tokens are in their parents').
    const topOnly = <T extends { where: (...a: any[]) => T }>(query: T): T =>
      q.component ? query : query.where("top_level", "=", 1);
    const days = this.#days(q);
    let users = this.db()
      .selectFrom("run_rollup_users")
      .select(["day", sql<number>`count(distinct user_id)`.as("users")])
      .where("day", ">=", days.from)
      .where("day", "<", days.to);
    if (q.component)
      users = users.where("component_kind", "=", q.component.kind).where("component_id", "=", q.component.id);
    const sum = (c: string) => sql<number>`sum(${sql.ref(c)})`;
    const [rows, userRows] = await Promise.all([
      topOnly(this.#rollups(q))
        .select([
          "day",
          sum("runs").as("runs"),
          sum("errors").as("errors"),
          sum("input_tokens").as("input_tokens"),
          sum("output_tokens").as("output_tokens"),
        ])
        .groupBy("day")
        .orderBy("day")
        .execute(),
      topOnly(users).groupBy("day").execute(),
    ]);
    const usersByDay = new Map(userRows.map((r) => [Number(r.day), Number(r.users)]));
    return rows
      .filter((r) => Number(r.runs) > 0)
      .map((r) => ({
        date: new Date(Number(r.day) * DAY_MS).toISOString().slice(0, 10),
        runs: Number(r.runs),
        errors: Number(r.errors),
        input_tokens: Number(r.input_tokens),
        output_tokens: Number(r.output_tokens),
        users: usersByDay.get(Number(r.day)) ?? 0,
      }));
  }
}
