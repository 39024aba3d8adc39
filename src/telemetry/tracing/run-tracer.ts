import { context as contexts, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from "@opentelemetry/api";
import type {
  Attributes,
  Context,
  Span,
  SpanContext,
  SpanOptions,
  TimeInput,
  Tracer,
} from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { hrTime, RecordedSpan } from "./recorded-span.js";
import type { SpanOrigin } from "./recorded-span.js";
import { makeSampler } from "./sampler.js";
import { DEFAULT_SAMPLER } from "./sampler-settings.js";
import type { Sample } from "./sampler.js";
import { TimeOrderedIdGenerator } from "./time-ordered-ids.js";

/**
 * The OS's tracer: a trace's first span here is recorded or not as the sampler decides (by default
 * always, except under a caller's parent that is not sampled, which W3C Trace Context asks us to
 * respect, as the SDK's default does); spans under it follow it. Recorded spans are handed to the
 * processors when they end. It replaces the SDK's tracer provider, whose sampler,
 * attribute checks and per-span bookkeeping cost more than building the spans from events did.
 */
export class RunTracer implements Tracer, SpanOrigin {
  readonly #ids = new TimeOrderedIdGenerator();

  constructor(
    readonly resource: Resource,
    readonly scope: { name: string; version?: string },
    private readonly processors: readonly SpanProcessor[],
    private readonly sample: Sample = makeSampler(DEFAULT_SAMPLER),
  ) {}

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = contexts.active()): Span {
    const parent = options.root ? undefined : trace.getSpanContext(ctx);
    return this.start(
      name,
      options.kind ?? SpanKind.INTERNAL,
      options.attributes,
      parent,
      options.startTime,
      ctx,
    );
  }

  /** `startSpan` with the parent given as a span context: what the run observer uses, without a Context per span. */
  start(
    name: string,
    kind: SpanKind,
    attributes: Attributes | undefined,
    parent: SpanContext | undefined,
    startTime?: TimeInput,
    ctx: Context = ROOT_CONTEXT,
  ): Span {
    // Our own spans' contexts are valid by construction; only a caller's is checked.
    const valid = parent && (!parent.isRemote || trace.isSpanContextValid(parent)) ? parent : undefined;
    const traceId = valid?.traceId ?? this.#ids.generateTraceId();
    const spanId = this.#ids.generateSpanId();
    const recorded =
      valid && !valid.isRemote ? (valid.traceFlags & TraceFlags.SAMPLED) !== 0 : this.sample(traceId, valid);
    if (!recorded) return trace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.NONE });
    const span = new RecordedSpan(
      this,
      name,
      kind,
      {
        traceId,
        spanId,
        traceFlags: TraceFlags.SAMPLED,
        ...(valid?.traceState ? { traceState: valid.traceState } : {}),
      },
      valid,
      hrTime(startTime),
      // A dictionary from the start: spans get their keys in many orders, which would churn hidden classes.
      Object.assign(Object.create(null) as Attributes, attributes),
    );
    for (const p of this.processors) p.onStart(span, ctx);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...args: unknown[]): ReturnType<F> {
    const fn = args.pop() as F;
    const [options, ctx = contexts.active()] = args as [SpanOptions | undefined, Context | undefined];
    const span = this.startSpan(name, options, ctx);
    return contexts.with(trace.setSpan(ctx, span), fn as (s: Span) => ReturnType<F>, undefined, span);
  }

  ended(span: RecordedSpan): void {
    for (const p of this.processors) p.onEnd(span);
  }

  /** Flushes every processor; one that fails (a collector down) fails the call only after the others are done. */
  forceFlush(): Promise<void> {
    return settleAll(this.processors.map((p) => p.forceFlush()));
  }

  shutdown(): Promise<void> {
    return settleAll(this.processors.map((p) => p.shutdown()));
  }
}

async function settleAll(work: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
}
