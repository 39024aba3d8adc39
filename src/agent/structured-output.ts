import { z } from "zod";
import type { JSONSchema7 } from "@ai-sdk/provider";

/** The JSON schema a model is asked to follow. */
export function responseSchema(schema: z.ZodType): JSONSchema7 {
  const { $schema: _drop, ...json } = z.toJSONSchema(schema, { io: "output" }) as Record<string, unknown>;
  return json as JSONSchema7;
}

/** Parses the model's text as JSON and validates it; the error says what did not match. */
export function parseStructured(schema: z.ZodType, text: string): unknown {
  const trimmed = text.trim().replace(/^```(?:json)?\s*|\s*```$/g, "");
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    throw new Error(`The model's answer is not valid JSON: ${trimmed.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `The model's answer does not match the output schema: ${parsed.error.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}
