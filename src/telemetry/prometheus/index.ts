export { Prometheus } from "./prometheus.js";
export { OpenConnections } from "./open-connections.js";
export type { ConnectionKind } from "./open-connections.js";
export type { PrometheusMetrics } from "./prometheus-metrics.js";
