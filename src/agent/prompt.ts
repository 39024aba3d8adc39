import type {
  LanguageModelV3FilePart,
  LanguageModelV3Message,
  LanguageModelV3Prompt,
  LanguageModelV3TextPart,
} from "@ai-sdk/provider";
import type { Media, Message } from "../run/index.js";

/** Turns our messages into the provider specification's prompt. */
export function toModelPrompt(messages: readonly Message[]): LanguageModelV3Prompt {
  const out: LanguageModelV3Message[] = [];
  for (const m of messages) {
    switch (m.role) {
      case "system":
        out.push({ role: "system", content: m.content ?? "" });
        break;
      case "user": {
        const parts: (LanguageModelV3TextPart | LanguageModelV3FilePart)[] = [];
        if (m.content) parts.push({ type: "text", text: m.content });
        for (const media of m.media ?? []) parts.push(filePart(media));
        if (parts.length === 0) parts.push({ type: "text", text: "" });
        out.push({ role: "user", content: parts });
        break;
      }
      case "assistant": {
        const content: Extract<LanguageModelV3Message, { role: "assistant" }>["content"] = [];
        if (m.content) content.push({ type: "text", text: m.content });
        for (const call of m.tool_calls ?? []) {
          content.push({
            type: "tool-call",
            toolCallId: call.id,
            toolName: call.function.name,
            input: parseArgs(call.function.arguments),
          });
        }
        out.push({ role: "assistant", content });
        break;
      }
      case "tool":
        out.push({
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: m.tool_call_id ?? "",
              toolName: m.tool_name ?? "",
              output: m.tool_call_error
                ? { type: "error-text", value: m.content ?? "" }
                : { type: "text", value: m.content ?? "" },
            },
          ],
        });
        break;
    }
  }
  return out;
}

function filePart(media: Media): LanguageModelV3FilePart {
  const data = media.content !== undefined ? media.content : new URL(media.url ?? "");
  return {
    type: "file",
    data,
    mediaType: media.mime_type,
    ...(media.filename ? { filename: media.filename } : {}),
  };
}

function parseArgs(text: string): unknown {
  try {
    return JSON.parse(text || "{}");
  } catch {
    return {};
  }
}
