import type { ComponentKind } from "../run/index.js";

/** Which runs /metrics aggregates: created in [fromMs, toMs), optionally of one component. */
export interface MetricsQuery {
  fromMs: number;
  toMs: number;
  component?: { kind: ComponentKind; id: string };
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Aggregates of one component's runs (nested runs included: a member's runs count for it). */
export interface ComponentMetrics {
  kind: ComponentKind;
  id: string;
  runs: number;
  completed: number;
  errors: number;
  cancelled: number;
  /** Nearest-rank percentiles over runs that ended; milliseconds. */
  latency_ms: Percentiles;
  time_to_first_token_ms: Percentiles;
  input_tokens: number;
  output_tokens: number;
}

export interface DailyMetrics {
  /** YYYY-MM-DD, UTC. */
  date: string;
  runs: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  /** Distinct user ids with a run that day. */
  users: number;
}

export interface MetricsReport {
  /** Top-level runs (or, with a component, that component's runs): nested runs' tokens are in their parents'. */
  totals: { runs: number; errors: number; input_tokens: number; output_tokens: number };
  components: ComponentMetrics[];
  daily: DailyMetrics[];
}

/** Aggregates over the runs' indexed columns; never loads run bodies. */
export interface MetricsStore {
  aggregate(query: MetricsQuery): Promise<MetricsReport>;
}
