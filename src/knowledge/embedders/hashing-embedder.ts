import type { EmbeddingModelV3, EmbeddingModelV3CallOptions, EmbeddingModelV3Result } from "@ai-sdk/provider";

export interface HashingEmbedderOptions {
  /** Default 384. */
  dimensions?: number;
}

/**
 * A deterministic, offline embedder for tests and demos: words and their character trigrams are
 * hashed into a fixed number of signed buckets (the "hashing trick") and the vector normalised.
 * Texts that share words or word pieces come out similar; it knows nothing of meaning or synonyms,
 * so it is no substitute for a real embedding model.
 */
export class HashingEmbedder implements EmbeddingModelV3 {
  readonly specificationVersion = "v3" as const;
  readonly provider = "agentos";
  readonly modelId: string;
  readonly maxEmbeddingsPerCall = 2048;
  readonly supportsParallelCalls = true;
  readonly dimensions: number;

  constructor(options: HashingEmbedderOptions = {}) {
    const dims = options.dimensions ?? 384;
    if (!Number.isInteger(dims) || dims < 8 || dims > 8192)
      throw new RangeError(`dimensions must be an integer from 8 to 8192, got ${dims}`);
    this.dimensions = dims;
    this.modelId = `hashing-${dims}`;
  }

  async doEmbed(options: EmbeddingModelV3CallOptions): Promise<EmbeddingModelV3Result> {
    options.abortSignal?.throwIfAborted();
    return { embeddings: options.values.map((v) => this.embed(v)), warnings: [] };
  }

  /** The vector of one text (all zeros for a text without words). */
  embed(text: string): number[] {
    const v = new Float64Array(this.dimensions);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      add(v, `w:${word}`, 1);
      const padded = ` ${word} `;
      for (let i = 0; i + 3 <= padded.length; i++) add(v, `t:${padded.slice(i, i + 3)}`, 0.5);
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    return Array.from(v, (x) => (norm ? x / norm : 0));
  }
}

function add(v: Float64Array, feature: string, weight: number): void {
  const h = fnv1a(feature);
  v[h % v.length] += h & 0x80000000 ? -weight : weight;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
