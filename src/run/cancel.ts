/** Why a run was cancelled: the reason an AbortController was aborted with. */
export class RunCancelledError extends Error {
  constructor(reason = "Run cancelled") {
    super(reason);
    this.name = "RunCancelledError";
  }
}

/** The human reason of an aborted signal. */
export function cancelReason(signal: AbortSignal): string {
  const r = signal.reason;
  if (r instanceof RunCancelledError) return r.message;
  if (typeof r === "string" && r) return r;
  if (r instanceof Error && r.name !== "AbortError") return r.message;
  return "Run cancelled";
}
