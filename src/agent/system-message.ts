import type { Message } from "../run/index.js";
import { nowSeconds } from "../run/index.js";
import type { AgentOptions } from "./agent-options.js";

/** The system message of a run: description, instructions and any extra context sections. */
export function systemMessage(
  options: AgentOptions,
  extraSections: readonly string[] = [],
): Message | undefined {
  const parts: string[] = [];
  if (options.description) parts.push(options.description);
  if (options.role) parts.push(`Your role: ${options.role}`);
  const { instructions } = options;
  if (instructions && (typeof instructions === "string" || instructions.length)) {
    parts.push(
      typeof instructions === "string" ? instructions : instructions.map((line) => `- ${line}`).join("\n"),
    );
  }
  if (options.outputSchema)
    parts.push("Answer with a JSON object that matches the requested schema, and nothing else.");
  parts.push(...extraSections);
  return parts.length ? { role: "system", content: parts.join("\n\n"), created_at: nowSeconds() } : undefined;
}

/** Messages of earlier runs, marked as history, in order. System messages are not carried over. */
export function historyMessages(runs: readonly { messages: Message[] }[]): Message[] {
  const out: Message[] = [];
  for (const run of runs)
    for (const m of run.messages) if (m.role !== "system") out.push({ ...m, from_history: true });
  return out;
}

/** The messages a session shows: user messages and assistant answers with text. */
export function countsAsSessionMessage(m: Message): boolean {
  return m.role === "user" || (m.role === "assistant" && !!m.content);
}
