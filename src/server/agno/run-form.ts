import { z } from "zod";
import { formBool, jsonObject, optionalId, single } from "../schemas/fields.js";

/** Form-encoded JSON lists (`tools`, `requirements`, `step_requirements`): absent, or a JSON array. */
const jsonList = single(z.string().optional()).transform((text, ctx) => {
  if (text === undefined || text.trim() === "") return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value)) return value as Record<string, unknown>[];
  } catch {
    // reported below
  }
  ctx.addIssue({ code: "custom", message: "Expected a JSON list" });
  return z.NEVER;
});

/**
 * Agno's run form: `message` required, `stream` true unless "false", `session_id` "" or absent for
 * a new session. Other fields are run options; the ones this OS has no use for are accepted and ignored.
 */
export const agnoRunForm = z.looseObject({
  message: single(z.string({ error: "Field required" }).min(1, "message must not be empty")),
  stream: single(formBool.optional()).describe("Answer with SSE (default true)"),
  stream_events: single(formBool.optional()).describe(
    "Send every event (default true); false sends only content deltas, pauses and errors",
  ),
  session_id: optionalId.describe("The session to continue; absent or empty starts a new one"),
  user_id: optionalId,
  background: single(formBool.optional()),
  session_state: single(jsonObject.optional()),
  metadata: single(jsonObject.optional()),
  dependencies: single(jsonObject.optional()),
  on_disconnect: single(z.enum(["continue", "cancel"]).optional()).describe(
    "What a disconnecting stream client does to the run (default: cancel it, as Agno does)",
  ),
});
export type AgnoRunForm = z.infer<typeof agnoRunForm>;

/** Continue: `tools` (agents), `requirements` (teams) or `step_requirements` (workflows), and `session_id`. */
export const agnoContinueForm = z.looseObject({
  tools: jsonList,
  requirements: jsonList,
  step_requirements: jsonList,
  session_id: optionalId,
  user_id: optionalId,
  stream: single(formBool.optional()),
  on_disconnect: single(z.enum(["continue", "cancel"]).optional()),
});
export type AgnoContinueForm = z.infer<typeof agnoContinueForm>;

/** Resume: the last event the client has, and the run's session. */
export const agnoResumeForm = z.looseObject({
  last_event_index: single(
    z
      .union([
        z.number(),
        z
          .string()
          .trim()
          .regex(/^-?\d+$/, "Expected an integer"),
      ])
      .transform(Number)
      .optional(),
  ),
  session_id: optionalId,
});
