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
