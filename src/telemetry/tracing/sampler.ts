import { TraceFlags } from "@opentelemetry/api";
import type { SpanContext } from "@opentelemetry/api";
import type { SamplerSettings } from "./sampler-settings.js";

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
  if (!name.startsWith("parentbased_")) return root;
  return (traceId, parent) => (parent ? (parent.traceFlags & TraceFlags.SAMPLED) !== 0 : root(traceId));
}
