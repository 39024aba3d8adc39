/** Measurements of a run, stored on it and sent with RunCompleted. Times in seconds. */
export interface RunMetrics {
  time: number;
  time_to_first_token: number | null;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  model_requests: number;
  tool_calls: number;
}

export function emptyMetrics(): RunMetrics {
  return {
    time: 0,
    time_to_first_token: null,
    input_tokens: 0,
    output_tokens: 0,
    total_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    model_requests: 0,
    tool_calls: 0,
  };
}

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
}

/** Adds one model request's usage into a run's metrics. */
export function addUsage(metrics: RunMetrics, usage: TokenUsage): void {
  metrics.input_tokens += usage.input_tokens;
  metrics.output_tokens += usage.output_tokens;
  metrics.total_tokens += usage.total_tokens;
  metrics.cache_read_tokens += usage.cache_read_tokens;
  metrics.cache_write_tokens += usage.cache_write_tokens;
  metrics.reasoning_tokens += usage.reasoning_tokens;
}

/** Adds a child run's metrics (a team member's) into its parent's token counts. */
export function addMetrics(into: RunMetrics, from: RunMetrics): void {
  addUsage(into, from);
  into.model_requests += from.model_requests;
  into.tool_calls += from.tool_calls;
}
