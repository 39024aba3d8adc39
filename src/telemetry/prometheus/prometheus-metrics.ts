import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RunOutput } from "../../run/index.js";
import type { ObservedRun, RunWatch } from "../../runtime/index.js";
import type { OpenConnections } from "./open-connections.js";

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** The series of one OS, in a registry of its own (nothing in prom-client's global one). */
export class PrometheusMetrics {
  readonly registry = new Registry();
  readonly #http: Histogram<"method" | "route" | "status">;
  readonly #runs: Counter<"component_kind" | "component_id" | "status">;
  readonly #runDuration: Histogram<"component_kind" | "component_id">;
  readonly #tokens: Counter<"component_kind" | "component_id" | "type">;

  constructor(sources: { activeRuns: () => number; connections: OpenConnections }) {
    const registers = [this.registry];
    this.#http = new Histogram({
      name: "agentos_http_request_duration_seconds",
      help: "HTTP request durations by route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: SECONDS,
      registers,
    });
    this.#runs = new Counter({
      name: "agentos_runs_total",
      help: "Top-level runs that ended, by component and status",
      labelNames: ["component_kind", "component_id", "status"],
      registers,
    });
    this.#runDuration = new Histogram({
      name: "agentos_run_duration_seconds",
      help: "Duration of top-level runs",
      labelNames: ["component_kind", "component_id"],
      buckets: SECONDS,
      registers,
    });
    this.#tokens = new Counter({
      name: "agentos_tokens_total",
      help: "Model tokens of top-level runs (members' and steps' included), by type",
      labelNames: ["component_kind", "component_id", "type"],
      registers,
    });
    new Gauge({
      name: "agentos_active_runs",
      help: "Runs live in this process",
      registers,
      collect() {
        this.set(sources.activeRuns());
      },
    });
    new Gauge({
      name: "agentos_open_connections",
      help: "Open streaming connections (SSE responses and WebSockets)",
      labelNames: ["kind"],
      registers,
      collect() {
        this.set({ kind: "sse" }, sources.connections.count("sse"));
        this.set({ kind: "websocket" }, sources.connections.count("websocket"));
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.#http.observe({ method, route, status: String(status) }, seconds);
  }

  /** Counts a run when it ends (a paused run counts as PAUSED; its continuation counts again). */
  runStarted(run: ObservedRun): RunWatch {
    const labels = { component_kind: run.kind, component_id: run.componentId };
    return {
      event: () => {},
      end: (output: RunOutput | undefined) => {
        this.#runs.inc({ ...labels, status: output?.status ?? "ERROR" });
        if (!output) return;
        this.#runDuration.observe(labels, output.metrics.time);
        this.#tokens.inc({ ...labels, type: "input" }, output.metrics.input_tokens);
        this.#tokens.inc({ ...labels, type: "output" }, output.metrics.output_tokens);
      },
    };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
