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
