import type { NotFoundSubject, ValidationIssue } from "../../errors.js";
import { NotFoundError, ValidationError } from "../../errors.js";

/** Agno's 404 texts, by what was not found. */
const NOT_FOUND: Partial<Record<NotFoundSubject, string>> = {
  agent: "Agent not found",
  team: "Team not found",
  workflow: "Workflow not found",
  session: "Session not found",
  run: "Run not found",
  memory: "Memory not found",
  knowledge: "Knowledge not found",
  content: "Content not found",
};

/**
 * An error body as Agno words it: `{"detail": str}`, and for 422 FastAPI's list of
 * `{type, loc, msg, input}`. `rootBody` is what the root surface would answer.
 */
export function agnoErrorBody(
  err: unknown,
  status: number,
  rootBody: { detail: unknown },
): { detail: unknown } {
  if (err instanceof ValidationError) return { detail: err.issues.map(agnoIssue) };
  if (err instanceof NotFoundError && err.subject && NOT_FOUND[err.subject])
    return { detail: NOT_FOUND[err.subject] };
  if (status >= 500) return { detail: "Internal Server Error" };
  return { detail: rootBody.detail };
}

/** Pydantic v2's wording: "Field required", type "missing", and the input (null when absent). */
function agnoIssue(i: ValidationIssue & { input?: unknown }): Record<string, unknown> {
  const missing = i.type === "missing";
  return {
    type: i.type,
    loc: i.loc,
    msg: missing ? "Field required" : i.msg,
    input: i.input ?? null,
  };
}
