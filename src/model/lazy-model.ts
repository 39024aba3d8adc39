import type { LanguageModelV3, LanguageModelV3CallOptions } from "@ai-sdk/provider";

/**
 * A model whose provider package is imported on its first request. It reports its provider and
 * model id at once, so listings and events need nothing loaded.
 */
export function lazyModel(
  provider: string,
  modelId: string,
  load: () => Promise<LanguageModelV3>,
): LanguageModelV3 {
  let loaded: Promise<LanguageModelV3> | undefined;
  let ready: LanguageModelV3 | undefined;
  const get = () =>
    (loaded ??= load().then(
      (m) => (ready = m),
      (err) => {
        loaded = undefined;
        throw err;
      },
    ));
  return {
    specificationVersion: "v3",
    provider,
    modelId,
    get supportedUrls() {
      return ready?.supportedUrls ?? {};
    },
    doGenerate: async (options: LanguageModelV3CallOptions) => (await get()).doGenerate(options),
    doStream: async (options: LanguageModelV3CallOptions) => (await get()).doStream(options),
  };
}
