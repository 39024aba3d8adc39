import type { Logger } from "pino";
import type { ObservedRun, RunObserver, RunWatch } from "../../runtime/index.js";
import type { Store } from "../../storage/index.js";

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
}

interface Started {
  observer: RunObserver;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing of an OS's runs: its own tracer provider (nothing global is registered),
 * with a batch processor storing spans in the OS database off the request path, and another
 * exporting them over OTLP/HTTP when configured. The SDK loads in `start()`, only when enabled.
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
    const [
      { BasicTracerProvider, BatchSpanProcessor },
      { defaultResource, resourceFromAttributes },
      { StoreSpanExporter },
      { RunSpans },
    ] = await Promise.all([
      import("@opentelemetry/sdk-trace-base"),
      import("@opentelemetry/resources"),
      import("./store-span-exporter.js"),
      import("./run-spans.js"),
    ]);
    const batch = {
      scheduledDelayMillis: this.settings.batchDelayMs ?? 500,
      maxExportBatchSize: 512,
      maxQueueSize: 16_384,
    };
    const processors = [new BatchSpanProcessor(new StoreSpanExporter(this.store, this.logger), batch)];
    if (this.settings.otlpUrl) {
      const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
      processors.push(
        new BatchSpanProcessor(
          new OTLPTraceExporter({
            url: this.settings.otlpUrl,
            ...(this.settings.otlpTimeoutMs ? { timeoutMillis: this.settings.otlpTimeoutMs } : {}),
          }),
          batch,
        ),
      );
    }
    // Collectors group spans by service: without a name they would show as "unknown_service:node".
    const resource = defaultResource().merge(
      resourceFromAttributes({
        "service.name": this.settings.serviceName || "agentos",
        "service.version": version,
      }),
    );
    const provider = new BasicTracerProvider({ resource, spanProcessors: processors });
    const tracer = provider.getTracer("agentos", version);
    this.#started = {
      observer: { runStarted: (run) => new RunSpans(tracer, run) },
      flush: () => provider.forceFlush(),
      shutdown: async () => {
        await provider.forceFlush();
        await provider.shutdown();
      },
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
