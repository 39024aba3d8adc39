import { TraceFlags } from "@opentelemetry/api";
import type { SpanContext } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { makeSampler } from "../../src/telemetry/tracing/sampler.js";
import { readSampler } from "../../src/telemetry/tracing/sampler-settings.js";

// Trace ids whose random right-hand 52 bits are the lowest and the highest there are.
const LOW = "0123456789abcdef0000000000000000";
const HIGH = "0123456789abcdef000fffffffffffff";
const MID = "0123456789abcdef0008000000000000"; // exactly half way: not under a 0.5 threshold
const caller = (sampled: boolean): SpanContext => ({
  traceId: LOW,
  spanId: "00f067aa0ba902b7",
  traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
  isRemote: true,
});

describe("trace sampling", () => {
  it("traceidratio records the share of trace ids under the ratio, whatever the caller decided", () => {
    const half = makeSampler({ name: "traceidratio", ratio: 0.5 });
    expect([LOW, MID, HIGH].map((id) => half(id, undefined))).toEqual([true, false, false]);
    expect(half(LOW, caller(false))).toBe(true);
    expect(half(HIGH, caller(true))).toBe(false);
    expect(makeSampler({ name: "traceidratio", ratio: 0 })(LOW, undefined)).toBe(false);
    expect(makeSampler({ name: "traceidratio", ratio: 1 })(HIGH, undefined)).toBe(true);
  });

  it("the parent-based samplers follow a caller's decision and decide for the rest", () => {
    const on = makeSampler({ name: "parentbased_always_on", ratio: 1 });
    const off = makeSampler({ name: "parentbased_always_off", ratio: 1 });
    const ratio = makeSampler({ name: "parentbased_traceidratio", ratio: 0.5 });
    expect([on(HIGH, undefined), on(HIGH, caller(false)), on(HIGH, caller(true))]).toEqual([
      true,
      false,
      true,
    ]);
    expect([off(LOW, undefined), off(LOW, caller(false)), off(LOW, caller(true))]).toEqual([
      false,
      false,
      true,
    ]);
    expect([ratio(LOW, undefined), ratio(HIGH, undefined), ratio(HIGH, caller(true))]).toEqual([
      true,
      false,
      true,
    ]);
  });

  it("always_on and always_off ignore the caller", () => {
    expect(makeSampler({ name: "always_on", ratio: 1 })(HIGH, caller(false))).toBe(true);
    expect(makeSampler({ name: "always_off", ratio: 1 })(LOW, caller(true))).toBe(false);
  });

  it("reads OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG as the SDKs do, with clear errors", () => {
    expect(readSampler({})).toEqual({ name: "parentbased_always_on", ratio: 1 });
    expect(readSampler({ OTEL_TRACES_SAMPLER: " TraceIdRatio ", OTEL_TRACES_SAMPLER_ARG: "0.25" })).toEqual({
      name: "traceidratio",
      ratio: 0.25,
    });
    expect(readSampler({ OTEL_TRACES_SAMPLER: "parentbased_traceidratio" })).toEqual({
      name: "parentbased_traceidratio",
      ratio: 1,
    });
    expect(readSampler({ OTEL_TRACES_SAMPLER: "always_off", OTEL_TRACES_SAMPLER_ARG: "nonsense" })).toEqual({
      name: "always_off",
      ratio: 1,
    });
    expect(() => readSampler({ OTEL_TRACES_SAMPLER: "jaeger_remote" })).toThrow(
      /OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio.*got 'jaeger_remote'/,
    );
    expect(() =>
      readSampler({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "1.5" }),
    ).toThrow("OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got '1.5'");
  });
});
