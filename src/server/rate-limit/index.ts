export type { RateLimitCounter, WindowCount } from "./rate-limit-counter.js";
export { MemoryRateLimitCounter } from "./rate-limit-counter.js";
export type { RateLimitSpec, RateLimitState } from "./rate-limiter.js";
export { RateLimiter, parseRateLimit } from "./rate-limiter.js";
