export { Tracing, otlpTracesUrl, parseTraceparent } from "./tracing/index.js";
export type { TracingSettings, RemoteParent } from "./tracing/index.js";
export { Prometheus, OpenConnections } from "./prometheus/index.js";
export type { ConnectionKind, PrometheusMetrics } from "./prometheus/index.js";
