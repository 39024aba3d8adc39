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

const paragraphs = cutAfter(/\n[ \t]*\n\s*/g);
const lines = cutAfter(/\n/g);
const sentences = cutAfter(/[.!?…。！？]+["'”’)\]]*\s+/gu);
const words = cutAfter(/\s+/g);

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

  const split = async (piece: string, level: number): Promise<string[]> => {
    if (tokensOf(piece) <= size) return [piece];
    if (level >= levels.length) return fixedSizeChunks(piece, tok, size, 0, coop);
    const parts = levels[level](piece);
    if (parts.length <= 1) return split(piece, level + 1);
    const chunks: string[] = [];
    let current: Part[] = [];
    let total = 0;
    const flush = (carry: boolean) => {
      if (current.length) chunks.push(current.map((p) => p.text).join(""));
      if (!carry) {
        current = [];
        total = 0;
        return;
      }
      let kept = 0;
      let i = current.length;
      while (i > 0 && kept + current[i - 1].tokens <= overlap) kept += current[--i].tokens;
      current = current.slice(i);
      total = kept;
    };
    for (const text of parts) {
      await coop.tick();
      const tokens = tokensOf(text);
      if (tokens > size) {
        flush(false);
        chunks.push(...(await split(text, level + 1)));
        continue;
      }
      if (total + tokens > size) {
        flush(true);
        while (current.length && total + tokens > size) total -= current.shift()!.tokens;
      }
      current.push({ text, tokens });
      total += tokens;
    }
    flush(false);
    return chunks;
  };

  return split(text, 0);
}
