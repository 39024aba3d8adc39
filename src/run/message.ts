import type { Media } from "./media.js";

export type MessageRole = "system" | "user" | "assistant" | "tool";

/** A tool call as the model asked for it (OpenAI's and Agno's shape). */
export interface MessageToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** One message of a run's conversation. */
export interface Message {
  role: MessageRole;
  /** Text; null for an assistant message that only calls tools. */
  content: string | null;
  /** Images, audio, video and documents given with a user message. */
  media?: Media[];
  tool_calls?: MessageToolCall[];
  /** For role "tool": which call this answers. */
  tool_call_id?: string;
  tool_name?: string;
  tool_call_error?: boolean;
  reasoning_content?: string;
  /** True for messages copied from earlier runs of the session. */
  from_history?: boolean;
  /** Epoch seconds. */
  created_at: number;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
