import type {
  LanguageModelV3CallOptions,
  LanguageModelV3Prompt,
  LanguageModelV3ToolResultOutput,
  LanguageModelV3ToolResultPart,
} from "@ai-sdk/provider";

/**
 * What the offline demo model reads in a prompt: an arithmetic expression, a question about the
 * time or date, the key words of the user's message, and the results of its earlier tool calls.
 * Plain pattern matching, deterministic.
 */

type TokenKind = "num" | "op" | "lp" | "rp" | "fn" | "const" | "space" | "other";

interface Token {
  kind: TokenKind;
  text: string;
  start: number;
}

const FUNCTIONS = new Set(["sqrt", "abs", "round", "floor", "ceil"]);
// "e" is left out: as a lone letter in prose it is far more often not Euler's number.
const CONSTANTS = new Set(["pi"]);
const TOKEN = /\s+|(?:\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?|\*\*|[-+*/%^×÷]|\(|\)|[a-z]+|./giy;
const ARITHMETIC_CUE =
  /\b(calculate|calc|compute|evaluate|solve|work out|what(?:['’]s| is)|how much|result of)\b/i;
const DATE_LIKE = /^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}\/\d{1,2}\/\d{2,4}$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    const t = m[0];
    const lower = t.toLowerCase();
    let kind: TokenKind;
    if (/^\s/.test(t)) kind = "space";
    else if (/^[\d.]/.test(t) && t !== ".") kind = "num";
    else if (t === "(") kind = "lp";
    else if (t === ")") kind = "rp";
    else if (/^(\*\*|[-+*/%^×÷])$/.test(t)) kind = "op";
    else if (FUNCTIONS.has(lower)) kind = "fn";
    else if (CONSTANTS.has(lower)) kind = "const";
    else kind = "other";
    tokens.push({ kind, text: t, start: m.index });
  }
  // A function name only counts when a '(' follows it; "round" in prose is a word.
  return tokens.map((tok, i) => {
    if (tok.kind !== "fn") return tok;
    const next = tokens.slice(i + 1).find((n) => n.kind !== "space");
    return next?.kind === "lp" ? tok : { ...tok, kind: "other" };
  });
}

/** Trims a run of expression tokens to something that could be an expression, or returns undefined. */
function trimRun(run: Token[]): Token[] | undefined {
  let r = run.filter((t) => t.kind !== "space");
  const count = (kind: TokenKind) => r.filter((t) => t.kind === kind).length;
  for (;;) {
    const first = r[0];
    const last = r[r.length - 1];
    if (!first || !last) return undefined;
    if (first.kind === "op" && first.text !== "-" && first.text !== "+") r = r.slice(1);
    else if (last.kind === "op" || last.kind === "lp" || last.kind === "fn") r = r.slice(0, -1);
    else if (first.kind === "rp") r = r.slice(1);
    else if (last.kind === "rp" && count("rp") > count("lp")) r = r.slice(0, -1);
    else if (first.kind === "lp" && count("lp") > count("rp")) r = r.slice(1);
    else break;
  }
  if (count("lp") !== count("rp")) return undefined;
  const hasOperand = r.some((t) => t.kind === "num" || t.kind === "const");
  // A binary operator (one not at the very start) or a function call makes it arithmetic.
  const hasOperation = r.some((t, i) => (t.kind === "op" && i > 0) || t.kind === "fn");
  return hasOperand && hasOperation ? r : undefined;
}

/**
 * The arithmetic expression a message asks to be worked out, as written in the message,
 * or undefined. "what is 12 * (3 + 4)?" gives "12 * (3 + 4)".
 */
export function findArithmetic(text: string): string | undefined {
  const tokens = tokenize(text);
  let best: { expr: string; size: number } | undefined;
  let run: Token[] = [];
  const close = () => {
    const trimmed = trimRun(run);
    run = [];
    if (!trimmed) return;
    const first = trimmed[0];
    const last = trimmed[trimmed.length - 1];
    const expr = text.slice(first.start, last.start + last.text.length);
    if (DATE_LIKE.test(expr)) return;
    if (!best || trimmed.length > best.size) best = { expr, size: trimmed.length };
  };
  for (const tok of tokens) {
    if (tok.kind === "other") close();
    else run.push(tok);
  }
  close();
  if (!best) return undefined;
  // Without a cue word the expression must be (nearly) the whole message: "12*7" or "2^10?".
  const rest = text.replace(best.expr, "");
  return ARITHMETIC_CUE.test(text) || !/[\p{L}\p{N}]/u.test(rest) ? best.expr : undefined;
}

const TIME_QUESTION =
  /\b(what(?:['’]s| is)?\s+(?:the\s+)?(?:current\s+|local\s+)?(?:time|date|day)|what time|time is it|(?:current|local) (?:time|date)|today['’]?s date|date today|time now|day is (?:it|today))\b/i;

/** Whether the message asks for the current time or date. */
export function asksForTime(text: string): boolean {
  return TIME_QUESTION.test(text);
}

/** Whether the message asks about AgentOS or its documentation (the demo's knowledge base). */
export function asksAboutDocs(text: string): boolean {
  return /\b(agent ?os|docs?|documentation|readme|knowledge base)\b/i.test(text);
}

const STOP_WORDS = new Set(
  (
    "the and for are but not you your yours with this that these those from have has had was were will would " +
    "can could should shall may might must about into over under what when where which who whom whose why how " +
    "tell please give show explain describe some any all its it's i'm i've let let's there their them they then than " +
    "also just very much more most such only own same too out off again once here been being does did doing done " +
    "our ours hers his him her she he we us me my mine is am be do to of in on at by an a or if as so no yes hi hello hey " +
    "thanks thank know want need like get got make made one two"
  ).split(" "),
);

/** Up to `max` distinct content words of the message, in order, as written. */
export function keyWords(text: string, max = 5): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const word of text.match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? []) {
    const lower = word.toLowerCase();
    if (lower.length < 3 || STOP_WORDS.has(lower) || /^\d+$/.test(lower) || seen.has(lower)) continue;
    seen.add(lower);
    out.push(word);
    if (out.length === max) break;
  }
  return out;
}

export interface ResultSeen {
  part: LanguageModelV3ToolResultPart;
  /** The input of the call this result answers, when the prompt still holds it. */
  input: unknown;
}

/** The tool results at the end of the prompt (the answers to the model's last calls), in order. */
export function trailingResults(prompt: LanguageModelV3Prompt): ResultSeen[] {
  const inputs = new Map<string, unknown>();
  for (const m of prompt)
    if (m.role === "assistant")
      for (const p of m.content) if (p.type === "tool-call") inputs.set(p.toolCallId, p.input);
  const out: ResultSeen[] = [];
  for (let i = prompt.length - 1; i >= 0; i--) {
    const m = prompt[i];
    if (m.role !== "tool") break;
    const parts = m.content.filter((p): p is LanguageModelV3ToolResultPart => p.type === "tool-result");
    out.unshift(...parts.map((part) => ({ part, input: inputs.get(part.toolCallId) })));
  }
  return out;
}

/** A tool result as text, whatever form it came in. */
export function outputText(output: LanguageModelV3ToolResultOutput): string {
  switch (output.type) {
    case "text":
    case "error-text":
      return output.value;
    case "json":
    case "error-json":
      return JSON.stringify(output.value);
    case "execution-denied":
      return output.reason ?? "";
    case "content":
      return output.value.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("\n");
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** All the text a prompt carries, for token estimates and the deterministic response id. */
export function promptText(prompt: LanguageModelV3Prompt): string {
  const texts: string[] = [];
  for (const m of prompt) {
    if (m.role === "system") {
      texts.push(m.content);
      continue;
    }
    for (const p of m.content) {
      if (p.type === "text" || p.type === "reasoning") texts.push(p.text);
      else if (p.type === "tool-call")
        texts.push(typeof p.input === "string" ? p.input : JSON.stringify(p.input ?? {}));
      else if (p.type === "tool-result") texts.push(outputText(p.output));
      else if (p.type === "file" && p.filename) texts.push(p.filename);
    }
  }
  return texts.join("\n");
}

/** The names of the function tools offered, in order. */
export function toolNames(options: LanguageModelV3CallOptions): string[] {
  return (options.tools ?? []).flatMap((t) => (t.type === "function" ? [t.name] : []));
}
