import { APICallError } from "@ai-sdk/provider";
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamResult,
} from "@ai-sdk/provider";
import { ModelRequestError } from "./errors.js";
import { describeModel } from "./spec.js";

export interface RetryOptions {
  /** Requests made at most, the first included. Default 3. */
  maxAttempts?: number;
  /** Backoff before the second attempt; doubles each time, with jitter. Default 1000. */
  initialDelayMs?: number;
  /** Ceiling for any wait, including one a `retry-after` header asks for. Default 30000. */
  maxDelayMs?: number;
  /**
   * Per-attempt limit. For `doStream` it covers the wait for the response headers (the stream
   * itself may run longer); for `doGenerate`, the whole call. Default 120000; 0 disables it.
   */
  timeoutMs?: number;
  /** Called before each backoff wait, e.g. to log it. */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  /** The attempt that failed (1-based). */
  attempt: number;
  /** How long we wait before the next one. */
  delayMs: number;
  error: unknown;
}

interface RetrySettings {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  onRetry: ((info: RetryInfo) => void) | undefined;
}

const RETRYABLE_STATUS = new Set([408, 409, 429]);
const NETWORK_ERROR_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
]);

/** Marks a wrapper so that wrapping again replaces the policy instead of multiplying attempts. */
const INNER = Symbol("agentos.model.retry.inner");
type RetryingModel = LanguageModelV3 & { readonly [INNER]: LanguageModelV3 };

/** The per-attempt timer fired; internal, always reported as a ModelRequestError. */
class AttemptTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out: no response within ${timeoutMs} ms`);
    this.name = "TimeoutError";
  }
}

/**
 * Wraps a model so that `doStream` and `doGenerate` retry rate limits (408, 409, 429), server
 * errors (5xx), network failures and per-attempt timeouts, with exponential backoff and jitter
 * or the wait the provider's `retry-after-ms` / `retry-after` header asks for. Caller aborts
 * are never retried and are rethrown as the signal's reason. A final failure is a `ModelRequestError`.
 */
export function withRetry(model: LanguageModelV3, options: RetryOptions = {}): LanguageModelV3 {
  const inner = (model as Partial<RetryingModel>)[INNER] ?? model;
  const settings = resolveSettings(options);
  const wrapped: RetryingModel = {
    specificationVersion: inner.specificationVersion,
    provider: inner.provider,
    modelId: inner.modelId,
    get supportedUrls() {
      return inner.supportedUrls;
    },
    doGenerate: (callOptions: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> =>
      callWithRetry(inner, settings, callOptions, (o) => inner.doGenerate(o)),
    doStream: (callOptions: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> =>
      callWithRetry(inner, settings, callOptions, (o) => inner.doStream(o), cancelStream),
    [INNER]: inner,
  };
  return wrapped;
}

function resolveSettings(options: RetryOptions): RetrySettings {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return {
    maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? 3)),
    initialDelayMs: Math.max(0, options.initialDelayMs ?? 1000),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? 30_000),
    timeoutMs: Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : 0,
    onRetry: options.onRetry,
  };
}

async function callWithRetry<T>(
  model: LanguageModelV3,
  settings: RetrySettings,
  callOptions: LanguageModelV3CallOptions,
  call: (options: LanguageModelV3CallOptions) => PromiseLike<T>,
  discardLate?: (result: T) => void,
): Promise<T> {
  const caller = callOptions.abortSignal;
  for (let attempt = 1; ; attempt++) {
    if (caller?.aborted) throw caller.reason;
    try {
      return await runAttempt(settings.timeoutMs, callOptions, call, discardLate);
    } catch (error) {
      if (caller?.aborted) throw caller.reason;
      const failure = classify(error);
      if (!failure.retryable || attempt >= settings.maxAttempts) {
        const { provider, id } = describeModel(model);
        throw new ModelRequestError({
          provider,
          modelId: id,
          statusCode: failure.statusCode,
          attempts: attempt,
          retryable: failure.retryable,
          detail: failure.detail,
          cause: error,
        });
      }
      const delayMs = backoffDelay(error, attempt, settings);
      settings.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, caller);
    }
  }
}

/** One request, bounded by the per-attempt timer and the caller's signal. */
async function runAttempt<T>(
  timeoutMs: number,
  callOptions: LanguageModelV3CallOptions,
  call: (options: LanguageModelV3CallOptions) => PromiseLike<T>,
  discardLate?: (result: T) => void,
): Promise<T> {
  const caller = callOptions.abortSignal;
  if (timeoutMs === 0) return settleUnlessAborted(Promise.resolve(call(callOptions)), caller, discardLate);

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new AttemptTimeoutError(timeoutMs)), timeoutMs);
  // The combined signal stays with the stream after headers; only the caller can abort it then.
  const signal = caller ? AbortSignal.any([caller, timeout.signal]) : timeout.signal;
  try {
    const pending = Promise.resolve(call({ ...callOptions, abortSignal: signal }));
    return await settleUnlessAborted(pending, signal, discardLate);
  } catch (error) {
    if (timeout.signal.aborted && !caller?.aborted) throw timeout.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Settles with `pending`, or rejects as soon as `signal` aborts, even if the provider ignores it. */
function settleUnlessAborted<T>(
  pending: Promise<T>,
  signal: AbortSignal | undefined,
  discardLate?: (result: T) => void,
): Promise<T> {
  if (!signal) return pending;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      settled = true;
      reject(signal.reason);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (settled) discardLate?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        if (!settled) reject(error);
      },
    );
  });
}

function cancelStream(result: LanguageModelV3StreamResult): void {
  result.stream.cancel().catch(() => {});
}

interface Failure {
  retryable: boolean;
  statusCode?: number;
  detail: string;
}

function classify(error: unknown): Failure {
  if (error instanceof AttemptTimeoutError) return { retryable: true, detail: error.message };
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    if (status !== undefined) {
      return {
        retryable: RETRYABLE_STATUS.has(status) || status >= 500,
        statusCode: status,
        detail: error.message,
      };
    }
    // No status: the SDK's wrapping of a connection failure, marked retryable when it is one.
    // Name the URL: "cannot connect" is only useful with where to.
    const detail = error.url ? `${describeError(error)} (${error.url})` : describeError(error);
    return { retryable: error.isRetryable || isNetworkError(error.cause), detail };
  }
  if (isNetworkError(error)) return { retryable: true, detail: describeError(error) };
  return { retryable: false, detail: describeError(error) };
}

/** fetch's `TypeError: fetch failed`, or anything with a connection error code in its cause chain. */
function isNetworkError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) return true;
    if (current instanceof TypeError && /^(fetch failed|failed to fetch)$/i.test(current.message))
      return true;
    current = current.cause;
  }
  return false;
}

/** The message, with the cause's when it says more (fetch's "fetch failed" says little). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message || error.name;
  const cause = error.cause;
  if (cause instanceof Error && cause.message && !message.includes(cause.message)) {
    return `${message} (${cause.message})`;
  }
  return message;
}

function backoffDelay(error: unknown, attempt: number, settings: RetrySettings): number {
  const asked = APICallError.isInstance(error) ? retryAfterMs(error.responseHeaders) : undefined;
  if (asked !== undefined) return Math.min(asked, settings.maxDelayMs);
  const base = settings.initialDelayMs * 2 ** (attempt - 1);
  const jittered = base * (0.75 + Math.random() * 0.5);
  return Math.round(Math.min(jittered, settings.maxDelayMs));
}

/** The wait a 429/503 asks for: `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const header = (name: string): string | undefined => {
    for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
    return undefined;
  };
  const ms = header("retry-after-ms");
  if (ms !== undefined && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = header("retry-after")?.trim();
  if (after) {
    if (/^\d+(\.\d+)?$/.test(after)) return Number(after) * 1000;
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  return undefined;
}

/** Waits `ms`, waking at once (rejecting with the reason) when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
