export { Tracing, otlpTracesUrl } from "./tracing.js";
export type { TracingSettings } from "./tracing.js";
export { parseTraceparent } from "./traceparent.js";
export type { RemoteParent } from "./traceparent.js";
export { readSampler, SAMPLER_NAMES } from "./sampler-settings.js";
export type { SamplerName, SamplerSettings } from "./sampler-settings.js";
