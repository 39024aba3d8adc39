import type { Cooperative } from "../cooperative.js";
import type { Tokenizer } from "./tokens.js";

/** Text is tokenized in pieces of about this many characters, cut after line breaks. */
const SEGMENT_CHARS = 4000;

/** Token ids of a long text, tokenized piece by piece so that the event loop is never held for long. */
export async function encodeInPieces(text: string, tok: Tokenizer, coop: Cooperative): Promise<number[]> {
  const ids: number[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(text.length, at + SEGMENT_CHARS);
    if (end < text.length) {
      const newline = text.indexOf("\n", end);
      end = newline === -1 ? text.length : newline + 1;
      while (end < text.length && text[end] === "\n") end++;
    }
    for (const id of tok.encode(text.slice(at, end))) ids.push(id);
    at = end;
    await coop.tick();
  }
  return ids;
}

/**
 * Windows of `size` tokens, each starting `size - overlap` tokens after the previous one. Chunks
 * are slices of the original text: a window edge that falls inside a character moves to its boundary.
 */
export async function fixedSizeChunks(
  text: string,
  tok: Tokenizer,
  size: number,
  overlap: number,
  coop: Cooperative,
): Promise<string[]> {
  const ids = await encodeInPieces(text, tok, coop);
  const chunks: string[] = [];
  let start = 0;
  let startChar = 0;
  while (start < ids.length) {
    const end = cleanEnd(text, tok, ids, start, startChar, Math.min(start + size, ids.length));
    chunks.push(text.slice(startChar, end.char));
    if (end.token >= ids.length) break;
    const next = overlap > 0 ? Math.max(start + 1, end.token - overlap) : end.token;
    const nextStart = next === end.token ? end : cleanEnd(text, tok, ids, start, startChar, next);
    start = nextStart.token;
    startChar = nextStart.char;
    await coop.tick();
  }
  return chunks;
}

/**
 * The token index nearest to `want` (up to 4 earlier, then up to 4 later) at which the decoded tokens from
 * `start` end on a character boundary of `text`, and that boundary's character offset.
 */
function cleanEnd(
  text: string,
  tok: Tokenizer,
  ids: number[],
  start: number,
  startChar: number,
  want: number,
): { token: number; char: number } {
  const candidates = [want, want - 1, want - 2, want - 3, want - 4, want + 1, want + 2, want + 3, want + 4];
  for (const end of candidates) {
    if (end <= start || end > ids.length) continue;
    const decoded = tok.decode(ids.slice(start, end));
    if (text.startsWith(decoded, startChar)) return { token: end, char: startChar + decoded.length };
  }
  // Unreachable for text the tokenizer produced; keep going rather than loop forever.
  return { token: want, char: Math.min(text.length, startChar + tok.decode(ids.slice(start, want)).length) };
}
