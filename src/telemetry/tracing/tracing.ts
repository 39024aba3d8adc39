import type { Logger } from "pino";
import type { ObservedRun, RunObserver, RunWatch } from "../../runtime/index.js";
import type { Store } from "../../storage/index.js";
import type { SamplerSettings } from "./sampler-settings.js";

export interface TracingSettings {
  /** Default true (AGENTOS_TRACING). */
  enabled: boolean;
  /** OTLP/HTTP traces URL (from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces). */
  otlpUrl?: string;
  /** How long one OTLP export may take, retries included. Default 10 s. */
  otlpTimeoutMs?: number;
  /** How long the span processors wait to fill a batch. Default 500 ms. */
  batchDelayMs?: number;
  /** The `service.name` exported spans carry (OTEL_SERVICE_NAME). Default "agentos". */
  serviceName?: string;
  /** Which traces are recorded (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG). Default parentbased_always_on. */
  sampler?: SamplerSettings;
  /**
   * With a SQLite trace file, make, store and export spans on a thread of their own (AGENTOS_TRACING_THREAD).
   * Default true; false keeps them on the serving thread (e.g. an app bundled into one file).
   */
  thread?: boolean;
}

interface Started {
  observer: RunObserver;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing of an OS's runs: its own tracer (nothing global is registered), with a
 * processor storing spans in the OS database in batches off the request path, and the SDK's batch
 * processor exporting them over OTLP/HTTP when configured. With a SQLite trace file, all of it runs
 * on a thread of its own (TracingThread); otherwise on this one. It loads in `start()`, only when enabled.
 */
export class Tracing implements RunObserver {
  #started: Started | undefined;

  constructor(
    readonly settings: TracingSettings,
    private readonly store: Store,
    private readonly logger?: Logger,
  ) {}

  get enabled(): boolean {
    return this.settings.enabled;
  }

  async start(version: string): Promise<void> {
    if (!this.settings.enabled || this.#started) return;
    const traceFile = this.settings.thread === false ? undefined : this.store.traceFile?.();
    if (traceFile) {
      const { TracingThread } = await import("./tracing-thread.js");
      const thread = new TracingThread({ settings: this.settings, version, traceFile }, this.logger);
      this.#started = { observer: thread, flush: () => thread.flush(), shutdown: () => thread.shutdown() };
      return;
    }
    const [{ spanPipeline }, { RunSpans }] = await Promise.all([
      import("./span-pipeline.js"),
      import("./run-spans.js"),
    ]);
    const pipeline = await spanPipeline(this.settings, version, this.store.traces, this.logger);
    this.#started = {
      observer: { runStarted: (run) => new RunSpans(pipeline.tracer, run, pipeline.builder.schedule) },
      flush: () => pipeline.flush(),
      shutdown: () => pipeline.shutdown(),
    };
  }

  runStarted(run: ObservedRun): RunWatch | undefined {
    return this.#started?.observer.runStarted(run);
  }

  /** Hands every finished span to its exporters and waits for them (tests, shutdown); a failed export is logged. */
  async flush(): Promise<void> {
    await this.#started
      ?.flush()
      .catch((err: unknown) => this.logger?.warn({ err }, "could not export spans"));
  }

  async shutdown(): Promise<void> {
    const started = this.#started;
    this.#started = undefined;
    await started?.shutdown();
  }
}

/** The OTLP/HTTP traces URL the standard variables name, if any. */
export function otlpTracesUrl(env: Record<string, string | undefined>): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined;
}
