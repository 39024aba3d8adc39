import type { JSONSchema7, LanguageModelV3 } from "@ai-sdk/provider";
import { z } from "zod";
import type { Message } from "../run/index.js";
import type { SessionSummary, Store } from "../storage/index.js";
import { generateJson } from "./model-json.js";

/** The name of the summary task in the model's response format. */
export const SUMMARY_TASK = "session_summary";

const SCHEMA: JSONSchema7 = {
  type: "object",
  properties: { summary: { type: "string" }, topics: { type: "array", items: { type: "string" } } },
  required: ["summary", "topics"],
  additionalProperties: false,
};

const Summary = z.object({
  summary: z.string().trim().min(1).max(10_000),
  topics: z.array(z.string()).default([]),
});

const SYSTEM = `You keep a running summary of a conversation between a user and an assistant.
Combine the previous summary with the new messages into one concise summary (at most about 150 words) of what was discussed, decided and still open, written in the third person. List its main topics as one or two lowercase words each.
Answer with JSON: {"summary": "...", "topics": ["..."]}.`;

export interface SummaryInput {
  model: LanguageModelV3;
  store: Store;
  sessionId: string;
  /** The run's messages; user messages and assistant answers with text are summarised. */
  messages: readonly Message[];
  signal?: AbortSignal;
}

/**
 * Updates the session's summary with the run's messages (the previous summary stands for the
 * earlier ones, so the cost does not grow with the session). Returns the new summary.
 */
export async function updateSessionSummary(input: SummaryInput): Promise<SessionSummary | undefined> {
  const session = await input.store.sessions.get(input.sessionId);
  if (!session) return undefined;
  const lines = input.messages
    .filter((m) => (m.role === "user" || m.role === "assistant") && m.content)
    .map((m) => `${m.role === "user" ? "User" : "Assistant"}: ${m.content}`);
  // The offline demo model reads this layout ("Previous summary:" and "User:" lines).
  const user = `Previous summary: ${session.summary?.summary ?? "(none)"}\n\nNew messages:\n${lines.join("\n")}`;
  const answer = await generateJson(input.model, {
    name: SUMMARY_TASK,
    system: SYSTEM,
    user,
    schema: SCHEMA,
    parse: Summary,
    signal: input.signal,
  });
  const summary: SessionSummary = {
    summary: answer.summary,
    topics: [...new Set(answer.topics.map((t) => t.trim().toLowerCase()).filter(Boolean))],
    updated_at: Date.now(),
  };
  await input.store.sessions.update(input.sessionId, { summary });
  return summary;
}
