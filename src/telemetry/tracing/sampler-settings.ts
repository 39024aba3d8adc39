// Read at start-up whether tracing is on or not: no OpenTelemetry import here (sampler.ts has one).

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

/** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, as the OpenTelemetry SDKs read them. */
export function readSampler(env: Record<string, string | undefined>): SamplerSettings {
  const rawName = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  const name = rawName || DEFAULT_SAMPLER.name;
  if (!(SAMPLER_NAMES as readonly string[]).includes(name))
    throw new Error(
      `OTEL_TRACES_SAMPLER must be one of ${SAMPLER_NAMES.join(", ")}; got '${env.OTEL_TRACES_SAMPLER}'`,
    );
  if (!name.endsWith("traceidratio")) return { name: name as SamplerName, ratio: 1 };
  const rawRatio = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = rawRatio ? Number(rawRatio) : 1;
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    throw new Error(
      `OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got '${env.OTEL_TRACES_SAMPLER_ARG}'`,
    );
  return { name: name as SamplerName, ratio };
}
