export { RedisRunBus } from "./redis-run-bus.js";
export type { RedisRunBusOptions } from "./redis-run-bus.js";
export { RedisRateLimitCounter } from "./redis-rate-limit-counter.js";
