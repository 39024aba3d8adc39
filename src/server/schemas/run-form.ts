import { z } from "zod";
import { formBool, jsonObject, optionalId, single } from "./fields.js";

/** The fields of a run request (form, multipart or JSON). Files come as multipart parts. */
export const runForm = z.object({
  message: single(z.string({ error: "field required" }).min(1, "message must not be empty")).describe(
    "What to ask the agent (required)",
  ),
  session_id: optionalId.describe("Continue this session; absent or empty starts a new one"),
  user_id: optionalId.describe("Who the run is for (with JWT auth, the token's subject wins)"),
  stream: single(formBool.optional()).describe("Answer with Server-Sent Events (default false)"),
  background: single(formBool.optional()).describe(
    "Answer 202 at once and run in the background (default false)",
  ),
  session_state: single(jsonObject.optional()).describe(
    "JSON object merged over the session's state for this run",
  ),
  metadata: single(jsonObject.optional()).describe("JSON object stored with the run"),
  dependencies: single(jsonObject.optional()).describe("JSON object passed to tools as ctx.dependencies"),
  on_disconnect: single(z.enum(["continue", "cancel"]).optional()).describe(
    "What a disconnecting stream client does to the run (default: the component's setting, else continue)",
  ),
  input: single(z.unknown().optional()).describe(
    "Workflows: a JSON input, validated by the workflow's input schema",
  ),
});
export type RunForm = z.infer<typeof runForm>;

/** Query of reattach: the last event the client has. */
export const eventsQuery = z.object({
  last_event_index: z.coerce
    .number()
    .int()
    .min(-1)
    .optional()
    .describe("Replay events after this index (the Last-Event-ID header wins)"),
});

/** Files that may accompany a run, as documented in OpenAPI. */
export const RUN_FILES_NOTE =
  "Files: send multipart parts named files, images, audio or videos (repeatable). Each is routed by MIME type, with the file extension as fallback; unsupported types are 400, files over the size limit 413.";

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
