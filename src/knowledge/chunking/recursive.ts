import type { Cooperative } from "../cooperative.js";
import { fixedSizeChunks } from "./fixed.js";
import type { Tokenizer } from "./tokens.js";

/** Cuts text into parts whose concatenation is the text. */
type Splitter = (text: string) => string[];

/** Parts longer than this many characters per allowed token are too big without counting them. */
const CHARS_PER_TOKEN_CEILING = 10;

/** Cuts after each match of `re` (which must be global). */
function cutAfter(re: RegExp): Splitter {
  return (text) => {
    const parts: string[] = [];
    let from = 0;
    for (const m of text.matchAll(re)) {
      const end = m.index + m[0].length;
      if (end > from && end < text.length) {
        parts.push(text.slice(from, end));
        from = end;
      }
    }
    parts.push(text.slice(from));
    return parts;
  };
}

const FENCE = /^ {0,3}(```|~~~)/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;

/** Cuts before each Markdown heading line, except inside fenced code blocks (where `#` is often a comment). */
const beforeHeadings: Splitter = (text) => {
  const parts: string[] = [];
  let from = 0;
  let inFence = false;
  let lineStart = 0;
  while (lineStart < text.length) {
    const newline = text.indexOf("\n", lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    if (FENCE.test(line)) inFence = !inFence;
    else if (!inFence && lineStart > from && HEADING.test(line)) {
      parts.push(text.slice(from, lineStart));
      from = lineStart;
    }
    lineStart = lineEnd + 1;
  }
  parts.push(text.slice(from));
  return parts;
};

/** Cuts before each match of `re` (global): a word keeps the space before it, as tiktoken counts it. */
function cutBefore(re: RegExp): Splitter {
  return (text) => {
    const parts: string[] = [];
    let from = 0;
    for (const m of text.matchAll(re)) {
      if (m.index > from) {
        parts.push(text.slice(from, m.index));
        from = m.index;
      }
    }
    parts.push(text.slice(from));
    return parts;
  };
}

const paragraphs = cutAfter(/\n[ \t]*\n\s*/g);
const lines = cutAfter(/\n/g);
const sentences = cutBefore(/(?<=[.!?…。！？]["'”’)\]]*)\s+/gu);
const words = cutBefore(/\s+/g);

const MARKDOWN_LEVELS: Splitter[] = [beforeHeadings, paragraphs, lines, sentences, words];
const TEXT_LEVELS: Splitter[] = [paragraphs, lines, sentences, words];

interface Part {
  text: string;
  tokens: number;
}

/**
 * Splits by the coarsest structure that works (Markdown headings, paragraphs, lines, sentences,
 * words, and at last fixed token windows), then packs neighbouring parts into chunks of at most
 * `size` tokens; consecutive chunks share up to `overlap` tokens of whole parts.
 */
export async function recursiveChunks(
  text: string,
  format: "markdown" | "text",
  tok: Tokenizer,
  size: number,
  overlap: number,
  coop: Cooperative,
): Promise<string[]> {
  const levels = format === "markdown" ? MARKDOWN_LEVELS : TEXT_LEVELS;
  const tokensOf = (t: string) => (t.length > size * CHARS_PER_TOKEN_CEILING ? Infinity : tok.count(t));

  const joined = (parts: Part[]) => parts.map((p) => p.text).join("");
  const sum = (parts: Part[]) => parts.reduce((n, p) => n + p.tokens, 0);

  /**
   * Chunks of `piece`, the first of them starting with `prefix` (parts already collected, such as
   * a heading) when it fits there; the last chunk may still grow with what follows the piece.
   */
  const split = async (piece: string, level: number, prefix: Part[]): Promise<string[]> => {
    const pieceTokens = tokensOf(piece);
    if (pieceTokens + sum(prefix) <= size) return [joined(prefix) + piece];
    if (level >= levels.length) {
      const windows = await fixedSizeChunks(piece, tok, size, 0, coop);
      return prefix.length ? [joined(prefix), ...windows] : windows;
    }
    const parts = levels[level](piece);
    if (parts.length <= 1) return split(piece, level + 1, prefix);
    const chunks: string[] = [];
    let current = [...prefix];
    let total = sum(current);
    for (const text of parts) {
      await coop.tick();
      const tokens = tokensOf(text);
      if (tokens > size) {
        // A section too big for one chunk stands alone; a smaller part continues the chunk before it.
        const section = levels[level] === beforeHeadings;
        if (section && current.length) chunks.push(joined(current));
        const sub = await split(text, level + 1, section ? [] : current);
        chunks.push(...sub.slice(0, section ? sub.length : -1));
        const last = sub[sub.length - 1];
        current = section ? [] : [{ text: last, tokens: tok.count(last) }];
        total = section ? 0 : current[0].tokens;
        continue;
      }
      if (total + tokens > size) {
        chunks.push(joined(current));
        // Carry whole trailing parts worth at most `overlap` tokens into the next chunk.
        let i = current.length;
        let kept = 0;
        while (i > 0 && kept + current[i - 1].tokens <= overlap) kept += current[--i].tokens;
        current = current.slice(i);
        total = kept;
        while (current.length && total + tokens > size) total -= current.shift()!.tokens;
      }
      current.push({ text, tokens });
      total += tokens;
    }
    if (current.length) chunks.push(joined(current));
    return chunks;
  };

  return split(text, 0, []);
}
