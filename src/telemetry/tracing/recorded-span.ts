import { SpanStatusCode } from "@opentelemetry/api";
import type {
  Attributes,
  AttributeValue,
  Exception,
  HrTime,
  Link,
  SpanContext,
  SpanKind,
  SpanStatus,
  Span,
  TimeInput,
} from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace-base";

/** Who made a span: what exporters name as its resource and instrumentation scope. */
export interface SpanOrigin {
  resource: Resource;
  scope: { name: string; version?: string };
  /** Called once, when a span ends. */
  ended(span: RecordedSpan): void;
}

/**
 * A span that records what it is told and hands itself over when it ends: the API's `Span` for
 * the code that makes it, the SDK's `ReadableSpan` for processors and exporters. Attributes are
 * taken as given (the run observer makes only valid ones), which is what keeps a span cheap.
 */
export class RecordedSpan implements Span, ReadableSpan {
  readonly links: Link[] = [];
  readonly events: TimedEvent[] = [];
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  endTime: HrTime = [0, 0];
  ended = false;

  constructor(
    private readonly origin: SpanOrigin,
    public name: string,
    readonly kind: SpanKind,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    readonly startTime: HrTime,
    readonly attributes: Attributes,
  ) {}

  get resource(): Resource {
    return this.origin.resource;
  }

  get instrumentationScope(): { name: string; version?: string } {
    return this.origin.scope;
  }

  get duration(): HrTime {
    let seconds = this.endTime[0] - this.startTime[0];
    let nanos = this.endTime[1] - this.startTime[1];
    if (nanos < 0) {
      seconds--;
      nanos += 1e9;
    }
    return [seconds, nanos];
  }

  spanContext(): SpanContext {
    return this.context;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (!this.ended && value !== undefined && value !== null) this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]!);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    const timed = isTimeInput(attributesOrTime);
    this.events.push({
      name,
      attributes: timed ? {} : (attributesOrTime ?? {}),
      time: hrTime(timed ? attributesOrTime : time),
      droppedAttributesCount: 0,
    });
    return this;
  }

  addLink(link: Link): this {
    if (!this.ended) this.links.push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.ended) this.status = status;
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.endTime = hrTime(endTime);
    if (before(this.endTime, this.startTime)) this.endTime = this.startTime;
    this.ended = true;
    this.origin.ended(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const e: { name?: string; message?: string; stack?: string } =
      typeof exception === "string" ? { message: exception } : exception;
    this.addEvent(
      "exception",
      {
        ...(e.name ? { "exception.type": e.name } : {}),
        ...(e.message ? { "exception.message": e.message } : {}),
        ...(e.stack ? { "exception.stacktrace": e.stack } : {}),
      },
      time,
    );
  }
}

/**
 * The time as OpenTelemetry's [seconds, nanoseconds] since the epoch, to the microsecond. A number
 * is epoch milliseconds, or (being smaller than the process's time origin) a `performance.now()`.
 */
export function hrTime(input?: TimeInput): HrTime {
  if (Array.isArray(input)) return input as HrTime;
  const origin = performance.timeOrigin;
  const ms =
    input instanceof Date
      ? input.getTime()
      : typeof input === "number"
        ? input < origin
          ? origin + input
          : input
        : origin + performance.now();
  const seconds = Math.floor(ms / 1000);
  const micros = Math.round((ms - seconds * 1000) * 1000);
  return micros >= 1e6 ? [seconds + 1, 0] : [seconds, micros * 1000];
}

function isTimeInput(v: unknown): v is TimeInput {
  return typeof v === "number" || v instanceof Date || Array.isArray(v);
}

function before(a: HrTime, b: HrTime): boolean {
  return a[0] === b[0] ? a[1] < b[1] : a[0] < b[0];
}
