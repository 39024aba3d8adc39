import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { TraceStore } from "../../storage/index.js";
import { RunTracer } from "./run-tracer.js";
import { makeSampler } from "./sampler.js";
import { DEFAULT_SAMPLER } from "./sampler-settings.js";
import { SpanBuilder } from "./span-builder.js";
import { StoreSpanProcessor } from "./store-span-processor.js";
import type { WarnLogger } from "./store-span-processor.js";
import type { TracingSettings } from "./tracing.js";

/** The tracer runs' spans are made with, and where they go. */
export interface SpanPipeline {
  tracer: RunTracer;
  builder: SpanBuilder;
  /** Builds what runs noted and hands every finished span to its exporters; waits for them. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The OS's tracer with a processor storing spans in `store` in batches, and the SDK's batch
 * processor exporting them over OTLP/HTTP when configured: on the serving thread, or the tracing
 * thread's (see TracingThread).
 */
export async function spanPipeline(
  settings: TracingSettings,
  version: string,
  store: Pick<TraceStore, "write">,
  logger?: WarnLogger,
): Promise<SpanPipeline> {
  const delayMs = settings.batchDelayMs ?? 500;
  const processors: SpanProcessor[] = [
    new StoreSpanProcessor(store, { delayMs, maxBatch: 512, maxQueue: 16_384 }, logger),
  ];
  if (settings.otlpUrl) {
    const [{ BatchSpanProcessor }, { OTLPTraceExporter }] = await Promise.all([
      import("@opentelemetry/sdk-trace-base"),
      import("@opentelemetry/exporter-trace-otlp-http"),
    ]);
    const exporter = new OTLPTraceExporter({
      url: settings.otlpUrl,
      ...(settings.otlpTimeoutMs ? { timeoutMillis: settings.otlpTimeoutMs } : {}),
    });
    processors.push(
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: delayMs,
        maxExportBatchSize: 512,
        maxQueueSize: 16_384,
      }),
    );
  }
  // Collectors group spans by service: without a name they would show as "unknown_service:node".
  const resource = defaultResource().merge(
    resourceFromAttributes({ "service.name": settings.serviceName || "agentos", "service.version": version }),
  );
  const tracer = new RunTracer(
    resource,
    { name: "agentos", version },
    processors,
    makeSampler(settings.sampler ?? DEFAULT_SAMPLER),
  );
  const builder = new SpanBuilder(Math.min(delayMs, 100), 256, logger);
  return {
    tracer,
    builder,
    flush: () => {
      builder.build();
      return tracer.forceFlush();
    },
    shutdown: () => {
      builder.build();
      return tracer.shutdown();
    },
  };
}
