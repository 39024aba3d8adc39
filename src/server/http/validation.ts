import type { z } from "zod";
import { ValidationError } from "../../errors.js";
import type { ValidationIssue } from "../../errors.js";

/** Parses `value` with `schema`; failures become a 422 with FastAPI-style issues located under `where`. */
export function validate<T>(
  schema: z.ZodType<T>,
  value: unknown,
  where: "body" | "query" | "path" | "header",
): T {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => {
    const missing = issue.code === "invalid_type" && (issue as { input?: unknown }).input === undefined;
    return {
      loc: [where, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
      msg: missing ? "field required" : issue.message,
      type: missing ? "missing" : issue.code,
    };
  });
  throw new ValidationError(issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; "), issues);
}
