import { LoadAPIKeyError } from "@ai-sdk/provider";
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { lazyModel } from "./lazy-model.js";
import { withRetry } from "./retry.js";
import type { RetryOptions } from "./retry.js";
import { parseModelSpec } from "./spec.js";

export interface ResolveModelOptions {
  /** Where API keys and base URLs are read from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** The fetch the provider uses (tests, proxies). Default the global fetch. */
  fetch?: typeof fetch;
  /** Retry policy, or `false` for the bare provider model. */
  retry?: RetryOptions | false;
}

const OLLAMA_DEFAULT_HOST = "http://localhost:11434";
const OLLAMA_DEFAULT_PORT = "11434";

/**
 * Turns `"openai:gpt-4o"`, `"anthropic:claude-sonnet-4-5"` or `"ollama:llama3.2"` into an AI SDK
 * model (a model object is taken as is), wrapped with `withRetry` unless `retry: false`.
 * Makes no request: a missing API key surfaces when the model is first called.
 */
export function resolveModel(
  spec: string | LanguageModelV3,
  options: ResolveModelOptions = {},
): LanguageModelV3 {
  const model = typeof spec === "string" ? createModel(spec, options) : spec;
  return options.retry === false ? model : withRetry(model, options.retry);
}

/** The provider packages are imported on the first request, so importing AgentOS stays fast. */
function createModel(spec: string, options: ResolveModelOptions): LanguageModelV3 {
  const { provider, modelId } = parseModelSpec(spec);
  const env = options.env ?? process.env;
  const fetch = options.fetch;
  switch (provider) {
    case "openai": {
      const apiKey = nonEmpty(env.OPENAI_API_KEY);
      const model = lazyModel("openai.responses", modelId, async () => {
        const { createOpenAI } = await import("@ai-sdk/openai");
        // The base URL is explicit so that the SDK never falls back to process.env behind `env`.
        return createOpenAI({
          apiKey,
          baseURL: nonEmpty(env.OPENAI_BASE_URL) ?? "https://api.openai.com/v1",
          fetch,
        })(modelId);
      });
      return apiKey ? model : missingKey(model, "OpenAI", "OPENAI_API_KEY");
    }
    case "anthropic": {
      const apiKey = nonEmpty(env.ANTHROPIC_API_KEY);
      const model = lazyModel("anthropic.messages", modelId, async () => {
        const { createAnthropic } = await import("@ai-sdk/anthropic");
        return createAnthropic({
          apiKey,
          baseURL: nonEmpty(env.ANTHROPIC_BASE_URL) ?? "https://api.anthropic.com/v1",
          fetch,
        })(modelId);
      });
      return apiKey ? model : missingKey(model, "Anthropic", "ANTHROPIC_API_KEY");
    }
    case "ollama":
      return lazyModel("ollama.chat", modelId, async () => {
        const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible");
        return createOpenAICompatible({
          name: "ollama",
          baseURL: ollamaBaseURL(env.OLLAMA_HOST),
          fetch,
          includeUsage: true,
          supportsStructuredOutputs: true,
        })(modelId);
      });
  }
}

/**
 * The OpenAI-compatible endpoint of an Ollama server from `OLLAMA_HOST`, which Ollama accepts
 * as `host`, `host:port` or a URL, with or without a trailing `/v1`.
 */
export function ollamaBaseURL(host: string | undefined): string {
  let text = nonEmpty(host) ?? OLLAMA_DEFAULT_HOST;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    // Ollama's own rule: without a scheme it is http, on port 11434 unless one is given.
    const [hostPort = "", ...path] = text.split("/");
    const hasPort = /:\d+$/.test(hostPort) && !/^\[[^\]]*\]$/.test(hostPort);
    text = `http://${hasPort ? hostPort : `${hostPort}:${OLLAMA_DEFAULT_PORT}`}${path.length ? `/${path.join("/")}` : ""}`;
  }
  const trimmed = text.replace(/\/+$/, "").replace(/\/v1$/, "");
  return `${trimmed}/v1`;
}

/** The SDK model, failing every call with a message that names the variable to set. */
function missingKey(model: LanguageModelV3, vendor: string, variable: string): LanguageModelV3 {
  const fail = () =>
    Promise.reject(
      new LoadAPIKeyError({
        message: `${vendor} API key is missing: set the ${variable} environment variable`,
      }),
    );
  return {
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    get supportedUrls() {
      return model.supportedUrls;
    },
    doGenerate: fail,
    doStream: fail,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
