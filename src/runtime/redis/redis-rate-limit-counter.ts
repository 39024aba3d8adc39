import type { Redis } from "ioredis";
import { UnavailableError, errorMessage } from "../../errors.js";
import type { RateLimitCounter, WindowCount } from "../../server/rate-limit/index.js";

/** INCR the key, open its window on the first hit, return the count and the ms left. */
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

/** Rate-limit counts in Redis, so that every replica counts against the same limit. */
export class RedisRateLimitCounter implements RateLimitCounter {
  constructor(
    private readonly redis: () => Redis,
    private readonly prefix = "agentos",
  ) {}

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    try {
      const [count, ttl] = (await this.redis().eval(HIT, 1, `${this.prefix}:ratelimit:${key}`, windowMs)) as [
        number,
        number,
      ];
      return { count, resetAt: Date.now() + ttl };
    } catch (err) {
      throw new UnavailableError(`Rate limiting (Redis) is unreachable: ${errorMessage(err)}`);
    }
  }
}
