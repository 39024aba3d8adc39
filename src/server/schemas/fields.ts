import { z } from "zod";

/** A boolean as forms send it: true/false, 1/0, yes/no, on/off. */
export const formBool = z.union([
  z.boolean(),
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((s) => ["true", "false", "1", "0", "yes", "no", "on", "off", ""].includes(s), {
      message: "Expected a boolean",
    })
    .transform((s) => ["true", "1", "yes", "on"].includes(s)),
]);

/** A JSON object, given as an object (JSON bodies) or as a JSON string (forms). */
export const jsonObject = z.union([
  z.record(z.string(), z.unknown()),
  z.string().transform((s, ctx) => {
    if (s.trim() === "") return undefined;
    try {
      const value = JSON.parse(s);
      if (value && typeof value === "object" && !Array.isArray(value))
        return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: "custom", message: "Expected a JSON object" });
    return z.NEVER;
  }),
]);

/** A form field that may have been sent more than once: the first value counts. */
export function single<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (Array.isArray(v) ? v[0] : v), schema);
}

/** An optional id: absent and "" are the same (a new session). */
export const optionalId = single(z.string().max(256).optional()).transform((v) => (v ? v : undefined));

/** Query paging: limit within bounds. */
export function limitParam(def: number, max: number) {
  return z.coerce.number().int().min(1).max(max).default(def);
}

export const isoTime = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();
export const isoFromSeconds = (s: number | null | undefined): string | null =>
  s === null || s === undefined ? null : new Date(s * 1000).toISOString();

/** A comma-separated query value as its trimmed, non-empty items. */
export function commaList(text: string | undefined): string[] | undefined {
  return text
    ?.split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

/** The body of a bulk memory delete, on both surfaces: up to 1,000 ids, of one user when given. */
export const deleteMemoriesBody = z.object({
  memory_ids: z.array(z.string().min(1)).min(1).max(1000),
  user_id: z.string().min(1).optional(),
});
