import type { WarnLogger } from "./store-span-processor.js";
import type { RunSpans } from "./run-spans.js";

/**
 * Builds the spans of runs that noted new events, many runs at a time: after `delayMs`, or at
 * once when `maxRuns` are waiting, so what runs note stays small and long runs' finished spans
 * still leave while they go on.
 */
export class SpanBuilder {
  #waiting: RunSpans[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly maxRuns: number,
    private readonly logger?: WarnLogger,
  ) {}

  readonly schedule = (spans: RunSpans): void => {
    this.#waiting.push(spans);
    if (this.#waiting.length >= this.maxRuns) this.build();
    else this.#timer ??= setTimeout(() => this.build(), this.delayMs).unref();
  };

  build(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const spans of waiting)
      try {
        spans.build();
      } catch (err) {
        this.logger?.warn({ err }, "could not make a run's spans");
      }
  }
}
