import { RateLimitedError } from "../../errors.js";
import type { RateLimitCounter } from "./rate-limit-counter.js";

/** At most `limit` requests per `windowMs` for each caller. */
export interface RateLimitSpec {
  limit: number;
  windowMs: number;
}

const UNITS: Record<string, number> = { second: 1_000, minute: 60_000, hour: 3_600_000 };

/** Parses `60/minute` (also `/second`, `/hour`). */
export function parseRateLimit(text: string): RateLimitSpec {
  const m = /^\s*(\d+)\s*\/\s*(second|minute|hour)\s*$/i.exec(text);
  const limit = m ? Number(m[1]) : 0;
  if (!m || !Number.isSafeInteger(limit) || limit < 1)
    throw new Error(
      `AGENTOS_RATE_LIMIT must look like '60/minute' (per second, minute or hour), got '${text}'`,
    );
  return { limit, windowMs: UNITS[m[2].toLowerCase()] };
}

/** What a counted request learns: for the X-RateLimit headers. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  resetAt: number;
}

/** Applies one limit to every caller key through a counter. */
export class RateLimiter {
  constructor(
    readonly spec: RateLimitSpec,
    private readonly counter: RateLimitCounter,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Counts one request of `key`; throws RateLimitedError (429, Retry-After) past the limit. */
  async hit(key: string): Promise<RateLimitState> {
    const { count, resetAt } = await this.counter.hit(key, this.spec.windowMs);
    if (count > this.spec.limit)
      throw new RateLimitedError("Rate limit exceeded; try again later", (resetAt - this.now()) / 1000);
    return { limit: this.spec.limit, remaining: this.spec.limit - count, resetAt };
  }
}
