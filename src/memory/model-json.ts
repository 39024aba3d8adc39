import type { JSONSchema7, LanguageModelV3 } from "@ai-sdk/provider";
import type { z } from "zod";

export interface JsonTask<T> {
  /** Names the task in the response format; the offline demo model recognises the memory tasks by it. */
  name: string;
  system: string;
  user: string;
  schema: JSONSchema7;
  parse: z.ZodType<T>;
  signal?: AbortSignal;
}

/** One model call answered with JSON, validated; a clear error when the answer does not fit. */
export async function generateJson<T>(model: LanguageModelV3, task: JsonTask<T>): Promise<T> {
  const result = await model.doGenerate({
    prompt: [
      { role: "system", content: task.system },
      { role: "user", content: [{ type: "text", text: task.user }] },
    ],
    responseFormat: { type: "json", schema: task.schema, name: task.name },
    abortSignal: task.signal,
  });
  const text = result.content
    .flatMap((p) => (p.type === "text" ? [p.text] : []))
    .join("")
    .trim()
    .replace(/^```(?:json)?\s*|\s*```$/g, "");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`The ${task.name} answer is not valid JSON: ${text.slice(0, 200)}`);
  }
  const parsed = task.parse.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `The ${task.name} answer does not match its schema: ${parsed.error.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}
