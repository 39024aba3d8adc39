import { TraceFlags } from "@opentelemetry/api";
import type { SpanContext } from "@opentelemetry/api";

/** OpenTelemetry's standard samplers, by the names OTEL_TRACES_SAMPLER takes. */
export const SAMPLER_NAMES = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export interface SamplerSettings {
  name: SamplerName;
  /** The share of traces the ratio samplers record, 0 to 1. */
  ratio: number;
}

/** The SDK's default: a caller's decision when it sent one, else every trace. */
export const DEFAULT_SAMPLER: SamplerSettings = { name: "parentbased_always_on", ratio: 1 };

/**
 * Decides whether a trace's first span in this process is recorded; `parent` is the caller's span
 * context (from `traceparent`), if any. Spans under a span of ours follow that span.
 */
export type Sample = (traceId: string, parent: SpanContext | undefined) => boolean;

export function makeSampler({ name, ratio }: SamplerSettings): Sample {
  // W3C Trace Context keeps a trace id's rightmost 7 bytes random: 52 of those bits make the draw.
  const threshold = ratio * 2 ** 52;
  const byRatio = (traceId: string) => ratio >= 1 || Number.parseInt(traceId.slice(-13), 16) < threshold;
  const root: (traceId: string) => boolean = name.endsWith("always_on")
    ? () => true
    : name.endsWith("always_off")
      ? () => false
      : byRatio;
  if (!name.startsWith("parentbased_")) return (traceId) => root(traceId);
  return (traceId, parent) => (parent ? (parent.traceFlags & TraceFlags.SAMPLED) !== 0 : root(traceId));
}

/** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, as the OpenTelemetry SDKs read them. */
export function readSampler(env: Record<string, string | undefined>): SamplerSettings {
  const rawName = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  const name = rawName || DEFAULT_SAMPLER.name;
  if (!(SAMPLER_NAMES as readonly string[]).includes(name))
    throw new Error(
      `OTEL_TRACES_SAMPLER must be one of ${SAMPLER_NAMES.join(", ")}; got '${env.OTEL_TRACES_SAMPLER}'`,
    );
  const rawRatio = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = rawRatio ? Number(rawRatio) : 1;
  if (!name.endsWith("traceidratio")) return { name: name as SamplerName, ratio: 1 };
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    throw new Error(
      `OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got '${env.OTEL_TRACES_SAMPLER_ARG}'`,
    );
  return { name: name as SamplerName, ratio };
}
