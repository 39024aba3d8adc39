import { STATUS_CODES } from "node:http";

export interface ModelRequestErrorInit {
  /** Short provider name, e.g. `openai` (see `describeModel`). */
  provider: string;
  modelId: string;
  /** HTTP status of the last failed attempt, when the provider answered. */
  statusCode?: number;
  /** How many requests were made, including the one that failed last. */
  attempts: number;
  /** Whether the last failure was of a kind worth retrying (rate limit, 5xx, network, timeout). */
  retryable: boolean;
  /** What went wrong, in the provider's words (without the status line). */
  detail: string;
  cause?: unknown;
}

/**
 * A model call that failed for good: the last attempt's error, or a non-retryable one.
 * Its message is what a run reports, so it names the model, the status and the provider's reason.
 */
export class ModelRequestError extends Error {
  readonly provider: string;
  readonly modelId: string;
  readonly statusCode?: number;
  readonly attempts: number;
  readonly retryable: boolean;

  constructor(init: ModelRequestErrorInit) {
    super(formatMessage(init), { cause: init.cause });
    this.name = "ModelRequestError";
    this.provider = init.provider;
    this.modelId = init.modelId;
    if (init.statusCode !== undefined) this.statusCode = init.statusCode;
    this.attempts = init.attempts;
    this.retryable = init.retryable;
  }
}

function formatMessage(init: ModelRequestErrorInit): string {
  const spec = `${init.provider}:${init.modelId}`;
  const after = init.attempts > 1 ? ` after ${init.attempts} attempts` : "";
  const parts: string[] = [];
  if (init.statusCode !== undefined) {
    const reason = STATUS_CODES[init.statusCode];
    parts.push(reason ? `${init.statusCode} ${reason}` : String(init.statusCode));
    // Providers without a JSON error body repeat the reason phrase as their message.
    const detail = init.detail.trim();
    if (detail && detail.toLowerCase() !== (reason ?? "").toLowerCase()) parts.push(detail);
  } else {
    parts.push(init.detail.trim() || "unknown error");
  }
  return `${spec} request failed${after}: ${parts.join(": ")}`;
}

/** True for the errors an aborted fetch or signal produces (`AbortError`, `TimeoutError`). */
export function isAbortError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const name = (err as { name?: unknown }).name;
  return name === "AbortError" || name === "TimeoutError" || name === "ResponseAborted";
}
