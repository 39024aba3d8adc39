import { z } from "zod";
import { formBool, jsonObject, optionalId, single } from "./fields.js";

/** The fields of a run request (form, multipart or JSON). */
export const runForm = z.object({
  message: single(z.string({ error: "field required" }).min(1, "message must not be empty")),
  session_id: optionalId,
  user_id: optionalId,
  stream: single(formBool.optional()),
  background: single(formBool.optional()),
  session_state: single(jsonObject.optional()),
  metadata: single(jsonObject.optional()),
  dependencies: single(jsonObject.optional()),
  on_disconnect: single(z.enum(["continue", "cancel"]).optional()),
  /** Workflows: a JSON input validated by the workflow's schema. */
  input: single(z.unknown().optional()),
});
export type RunForm = z.infer<typeof runForm>;

/** Query of reattach: the last event the client has. */
export const eventsQuery = z.object({
  last_event_index: z.coerce.number().int().min(-1).optional(),
});

/** A paused tool call as the caller sends it back (the ToolExecution of RunPaused, resolved). */
const toolResolution = z.looseObject({
  tool_call_id: z.string().min(1),
  confirmed: z.boolean().nullable().optional(),
  confirmation_note: z.string().nullable().optional(),
  user_input_schema: z
    .array(z.looseObject({ name: z.string(), value: z.unknown() }))
    .nullable()
    .optional(),
  /** An external tool's result: text, or any JSON value (sent to the model as JSON). */
  result: z.unknown().optional(),
});

/** The resolved tools: a JSON array (JSON bodies) or its JSON text (forms). */
const toolResolutions = z.preprocess(
  (v) => {
    // A form field sent twice arrives as an array of strings: the first counts.
    const text = Array.isArray(v) && typeof v[0] === "string" ? v[0] : v;
    if (typeof text !== "string") return text;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  },
  z.array(toolResolution, { error: "Expected a JSON list of tool executions" }).min(1),
);

/** The fields of a continue request (form, multipart or JSON). */
export const continueForm = z.object({
  tools: toolResolutions,
  session_id: optionalId,
  stream: single(formBool.optional()),
  on_disconnect: single(z.enum(["continue", "cancel"]).optional()),
});
export type ContinueForm = z.infer<typeof continueForm>;
