import type { Tiktoken, TiktokenBPE } from "js-tiktoken/lite";

/** The tiktoken encodings chunk sizes can be counted in. */
export type TokenEncoding = "cl100k_base" | "o200k_base" | "p50k_base" | "r50k_base" | "gpt2";

export interface Tokenizer {
  readonly encoding: TokenEncoding;
  /** Token ids; special-token text (e.g. "<|endoftext|>") is ordinary text here. */
  encode(text: string): number[];
  decode(tokens: number[]): string;
  count(text: string): number;
}

const RANKS: Record<TokenEncoding, () => Promise<{ default: TiktokenBPE }>> = {
  cl100k_base: () => import("js-tiktoken/ranks/cl100k_base"),
  o200k_base: () => import("js-tiktoken/ranks/o200k_base"),
  p50k_base: () => import("js-tiktoken/ranks/p50k_base"),
  r50k_base: () => import("js-tiktoken/ranks/r50k_base"),
  gpt2: () => import("js-tiktoken/ranks/gpt2"),
};

// Building an encoding takes a second or two of CPU, and its tables never change: share them per process.
const loaded = new Map<TokenEncoding, Promise<Tokenizer>>();

/** The tokenizer for an encoding, loaded (rank file and tables) on first use. */
export function loadTokenizer(encoding: TokenEncoding = "cl100k_base"): Promise<Tokenizer> {
  if (!Object.hasOwn(RANKS, encoding))
    return Promise.reject(new RangeError(`Unknown token encoding '${encoding}'`));
  let tokenizer = loaded.get(encoding);
  if (!tokenizer) {
    tokenizer = Promise.all([import("js-tiktoken/lite"), RANKS[encoding]()]).then(
      ([lite, ranks]) =>
        new PieceTokenizer(encoding, new lite.Tiktoken(ranks.default), ranks.default.pat_str),
    );
    tokenizer.catch(() => loaded.delete(encoding));
    loaded.set(encoding, tokenizer);
  }
  return tokenizer;
}

/** Pieces longer than this are cut first: byte-pair merging is quadratic in a piece's length. */
const MAX_PIECE = 128;
const CACHE_LIMIT = 100_000;

/**
 * js-tiktoken, piece by piece: text is split with the encoding's own pre-tokenizer pattern (tokens
 * never cross pieces) and each distinct piece is encoded once and remembered, which makes natural
 * text, full of repeated words, an order of magnitude faster to count. The ids are tiktoken's,
 * except inside pieces over 128 characters (base64, long rules), which are cut first.
 */
class PieceTokenizer implements Tokenizer {
  readonly #pieces: RegExp;
  readonly #cache = new Map<string, number[]>();

  constructor(
    readonly encoding: TokenEncoding,
    private readonly tiktoken: Tiktoken,
    pattern: string,
  ) {
    this.#pieces = new RegExp(pattern, "gu");
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    this.#each(text, (tokens) => {
      for (const t of tokens) ids.push(t);
    });
    return ids;
  }

  decode(tokens: number[]): string {
    return this.tiktoken.decode(tokens);
  }

  count(text: string): number {
    let n = 0;
    this.#each(text, (tokens) => (n += tokens.length));
    return n;
  }

  /** Calls `fn` with the tokens of each piece of the text, in order. */
  #each(text: string, fn: (tokens: number[]) => void): void {
    for (const m of text.matchAll(this.#pieces)) {
      const piece = m[0];
      if (piece.length <= MAX_PIECE) fn(this.#tokens(piece));
      else for (let i = 0; i < piece.length; i += MAX_PIECE) fn(this.#tokens(piece.slice(i, i + MAX_PIECE)));
    }
  }

  #tokens(piece: string): number[] {
    let tokens = this.#cache.get(piece);
    if (!tokens) {
      tokens = this.tiktoken.encode(piece, [], []);
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
      this.#cache.set(piece, tokens);
    }
    return tokens;
  }
}
