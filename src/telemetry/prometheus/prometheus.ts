import type { ObservedRun, RunObserver, RunWatch } from "../../runtime/index.js";
import { OpenConnections } from "./open-connections.js";
import type { PrometheusMetrics } from "./prometheus-metrics.js";

/** Prometheus series of one OS; prom-client loads in `start()`, before the server is built. */
export class Prometheus implements RunObserver {
  readonly connections = new OpenConnections();
  #metrics: PrometheusMetrics | undefined;

  constructor(private readonly activeRuns: () => number) {}

  async start(): Promise<void> {
    if (this.#metrics) return;
    const { PrometheusMetrics } = await import("./prometheus-metrics.js");
    this.#metrics = new PrometheusMetrics({ activeRuns: this.activeRuns, connections: this.connections });
  }

  /** The loaded metrics; undefined before `start()`. */
  get metrics(): PrometheusMetrics | undefined {
    return this.#metrics;
  }

  runStarted(run: ObservedRun): RunWatch | undefined {
    return this.#metrics?.runStarted(run);
  }
}
