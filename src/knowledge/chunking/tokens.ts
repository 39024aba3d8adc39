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
const loaded = new Map<TokenEncoding, Promise<Tiktoken>>();

/** The tokenizer for an encoding, loaded (rank file and tables) on first use. */
export function loadTokenizer(encoding: TokenEncoding = "cl100k_base"): Promise<Tokenizer> {
  if (!Object.hasOwn(RANKS, encoding))
    return Promise.reject(new RangeError(`Unknown token encoding '${encoding}'`));
  let tiktoken = loaded.get(encoding);
  if (!tiktoken) {
    tiktoken = Promise.all([import("js-tiktoken/lite"), RANKS[encoding]()]).then(
      ([lite, ranks]) => new lite.Tiktoken(ranks.default),
    );
    tiktoken.catch(() => loaded.delete(encoding));
    loaded.set(encoding, tiktoken);
  }
  return tiktoken.then((t) => ({
    encoding,
    encode: (text) => encode(t, text),
    decode: (tokens) => t.decode(tokens),
    count: (text) => encode(t, text).length,
  }));
}

const LONG_RUN = /\S{256,}/;

function encode(t: Tiktoken, text: string): number[] {
  if (!LONG_RUN.test(text)) return t.encode(text, [], []);
  // Byte-pair merging is quadratic in the length of one word: cut very long runs (base64, minified code) first.
  const ids: number[] = [];
  for (const piece of text.split(/(\S{128})/))
    if (piece) for (const id of t.encode(piece, [], [])) ids.push(id);
  return ids;
}
