import { Cooperative } from "../cooperative.js";
import { fixedSizeChunks } from "./fixed.js";
import { recursiveChunks } from "./recursive.js";
import { loadTokenizer } from "./tokens.js";
import type { TokenEncoding } from "./tokens.js";

export type { Tokenizer, TokenEncoding } from "./tokens.js";
export { loadTokenizer } from "./tokens.js";

export interface ChunkingOptions {
  /**
   * "recursive" (default): split by Markdown headings, paragraphs, lines, sentences, then words,
   * and pack the parts into chunks. "fixed": windows of exactly `chunkSize` tokens.
   */
  strategy?: "recursive" | "fixed";
  /** The largest chunk, in tokens. Default 512. */
  chunkSize?: number;
  /** Tokens consecutive chunks share. Default 0 for "recursive", 64 for "fixed". */
  overlap?: number;
  /** The tiktoken encoding sizes are counted in. Default "cl100k_base". */
  encoding?: TokenEncoding;
}

export interface Chunk {
  index: number;
  content: string;
  tokenCount: number;
}

/** The options with defaults applied; throws a RangeError for impossible sizes. */
export function resolveChunking(options: ChunkingOptions = {}): Required<ChunkingOptions> {
  const strategy = options.strategy ?? "recursive";
  if (strategy !== "recursive" && strategy !== "fixed")
    throw new RangeError(`Unknown chunking strategy '${String(strategy)}'`);
  const chunkSize = options.chunkSize ?? 512;
  const overlap = options.overlap ?? (strategy === "fixed" ? 64 : 0);
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= chunkSize)
    throw new RangeError(`overlap must be an integer from 0 to chunkSize - 1, got ${overlap}`);
  return { strategy, chunkSize, overlap, encoding: options.encoding ?? "cl100k_base" };
}

/** Cuts a document's text into chunks of at most `chunkSize` tokens; empty chunks are dropped. */
export async function chunkText(
  text: string,
  format: "markdown" | "text",
  options: ChunkingOptions = {},
  signal?: AbortSignal,
): Promise<Chunk[]> {
  const o = resolveChunking(options);
  const tok = await loadTokenizer(o.encoding);
  const coop = new Cooperative(signal);
  const pieces =
    o.strategy === "fixed"
      ? await fixedSizeChunks(text, tok, o.chunkSize, o.overlap, coop)
      : await recursiveChunks(text, format, tok, o.chunkSize, o.overlap, coop);
  const chunks: Chunk[] = [];
  for (const piece of pieces) {
    // Fixed windows are kept as cut (their edges are token edges); packed parts lose surrounding blank space.
    const content = o.strategy === "fixed" ? piece : piece.trim();
    if (!content.trim()) continue;
    chunks.push({ index: chunks.length, content, tokenCount: tok.count(content) });
    await coop.tick();
  }
  return chunks;
}
