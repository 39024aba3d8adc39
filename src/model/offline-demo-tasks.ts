import type { LanguageModelV3Prompt } from "@ai-sdk/provider";
import { keyWords } from "./offline-demo-intents.js";

/**
 * The structured tasks the offline demo model answers for the memory module, recognised by the
 * response format's name: remembering facts the user states ("my name is ...", "I like ...")
 * and keeping a running summary. Pattern matching, deterministic.
 */

function userTexts(prompt: LanguageModelV3Prompt): string[] {
  return prompt.flatMap((m) =>
    m.role === "user" ? m.content.flatMap((p) => (p.type === "text" ? [p.text] : [])) : [],
  );
}

function systemText(prompt: LanguageModelV3Prompt): string {
  return prompt.flatMap((m) => (m.role === "system" ? [m.content] : [])).join("\n");
}

/** The captured phrase in the third person ("my dog" -> "their dog"), tidied. */
const clean = (s: string) =>
  s
    .trim()
    .replace(/\s+/g, " ")
    .replace(/\bmy\b/gi, "their")
    .replace(/[\s,;:]+$/, "");
const END = String.raw`[^.!?,;\n]`;
/** A phrase ends at punctuation, a line end, or where "and I ..." starts another statement. */
const STOP = String.raw`(?=\s+and\s+I\b|[.!?,;\n]|$)`;

const FACTS: { re: RegExp; memory: (m: RegExpExecArray) => string; topic: string }[] = [
  {
    re: /\b[Mm]y name is ([\p{L}][\p{L}'-]*(?: \p{Lu}[\p{L}'-]*)?)/gu,
    memory: (m) => `The user's name is ${m[1]}.`,
    topic: "name",
  },
  { re: /\b[Cc]all me (\p{L}[\p{L}'-]*)/gu, memory: (m) => `The user's name is ${m[1]}.`, topic: "name" },
  {
    re: new RegExp(String.raw`\bmy favou?rite (\w+(?: \w+)?) is (${END}{1,60}?)${STOP}`, "gi"),
    memory: (m) => `The user's favourite ${m[1].toLowerCase()} is ${clean(m[2])}.`,
    topic: "preferences",
  },
  {
    re: new RegExp(
      String.raw`\bI (?:really |also )?(like|love|enjoy|prefer|hate|dislike) (${END}{1,80}?)${STOP}`,
      "gi",
    ),
    memory: (m) => `The user ${m[1].toLowerCase()}s ${clean(m[2])}.`,
    topic: "preferences",
  },
  {
    re: new RegExp(String.raw`\bI live in (${END}{1,60}?)${STOP}`, "gi"),
    memory: (m) => `The user lives in ${clean(m[1])}.`,
    topic: "location",
  },
  {
    re: new RegExp(String.raw`\bI work (as|at|for) (${END}{1,60}?)${STOP}`, "gi"),
    memory: (m) => `The user works ${m[1].toLowerCase()} ${clean(m[2])}.`,
    topic: "work",
  },
];

/** `{add, update, delete}`: facts the user stated, minus those the system message already lists. */
export function offlineMemoryUpdate(prompt: LanguageModelV3Prompt): string {
  const known = systemText(prompt).toLowerCase();
  const add: { memory: string; topics: string[] }[] = [];
  for (const text of userTexts(prompt)) {
    for (const fact of FACTS) {
      for (const m of text.matchAll(fact.re)) {
        const memory = fact.memory(m as RegExpExecArray);
        const key = memory.toLowerCase();
        if (known.includes(key) || add.some((a) => a.memory.toLowerCase() === key)) continue;
        add.push({ memory, topics: [fact.topic] });
      }
    }
  }
  return JSON.stringify({ add, update: [], delete: [] });
}

/** `{summary, topics}`: the previous summary's sentences plus one per new user message, the last six kept. */
export function offlineSessionSummary(prompt: LanguageModelV3Prompt): string {
  const text = userTexts(prompt).join("\n");
  const previous = /^Previous summary: (.*)$/m.exec(text)?.[1]?.trim();
  const said = [...text.matchAll(/^User: (.*)$/gm)].map((m) => m[1].trim()).filter(Boolean);
  const sentences: string[] =
    previous && previous !== "(none)" ? (previous.match(/[^.!?]+[.!?]+/g) ?? [previous]) : [];
  for (const line of said)
    sentences.push(`The user said: "${line.length > 100 ? `${line.slice(0, 99)}…` : line}".`);
  const topics = keyWords(said.join(" "), 3).map((w) => w.toLowerCase());
  return JSON.stringify({
    summary:
      sentences
        .map((s) => s.trim())
        .slice(-6)
        .join(" ") || "Nothing has been discussed yet.",
    topics,
  });
}

export const OFFLINE_TASKS: Record<string, (prompt: LanguageModelV3Prompt) => string> = {
  memory_update: offlineMemoryUpdate,
  session_summary: offlineSessionSummary,
};
