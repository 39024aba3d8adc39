/** Agno's JSON habits: drop nulls (its `to_dict`), drop zero metrics, and seconds or ISO times. */

/** The object without its null and undefined fields (not recursive: nested values keep theirs). */
export function withoutNulls(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in obj) {
    const v = obj[key];
    if (v !== null && v !== undefined) out[key] = v;
  }
  return out;
}

/** Agno's run metrics: `time` is its `duration`, and zero or empty values are left out. */
export function agnoMetrics(m: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!m) return out;
  for (const key in m) {
    const v = m[key];
    if (v === null || v === undefined || v === 0) continue;
    if (key === "model_requests" || key === "tool_calls") continue;
    out[key === "time" ? "duration" : key] = v;
  }
  return out;
}

/** Epoch milliseconds as ISO 8601, as Agno's session and memory schemas give times. */
export const isoFromMs = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

/** Epoch seconds as ISO 8601 (run schemas). */
export const isoFromSeconds = (s: number | null | undefined): string | null =>
  s === null || s === undefined ? null : new Date(s * 1000).toISOString();
