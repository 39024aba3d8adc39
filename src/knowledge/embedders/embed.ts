import type { EmbeddingModelV3 } from "@ai-sdk/provider";

/** Texts per embedding request when the model sets no (or no finite) limit. */
const DEFAULT_BATCH = 96;

/** Embeds texts in batches the model accepts, in order; every vector must have the same size. */
export async function embedAll(
  model: EmbeddingModelV3,
  texts: readonly string[],
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  const limit = await model.maxEmbeddingsPerCall;
  const batch = limit && Number.isFinite(limit) && limit > 0 ? Math.min(limit, 2048) : DEFAULT_BATCH;
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += batch) {
    signal?.throwIfAborted();
    const values = texts.slice(i, i + batch);
    const { embeddings } = await model.doEmbed({ values, abortSignal: signal });
    if (embeddings.length !== values.length)
      throw new Error(`The embedding model returned ${embeddings.length} vectors for ${values.length} texts`);
    for (const e of embeddings) {
      if (out.length && e.length !== out[0].length)
        throw new Error(
          `The embedding model returned vectors of ${out[0].length} and ${e.length} dimensions`,
        );
      out.push(Float32Array.from(e));
    }
  }
  return out;
}

/** Embeds one text (a query). */
export async function embedOne(
  model: EmbeddingModelV3,
  text: string,
  signal?: AbortSignal,
): Promise<Float32Array> {
  return (await embedAll(model, [text], signal))[0];
}
