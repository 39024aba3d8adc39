import type { LanguageModelV3 } from "@ai-sdk/provider";

/** Providers a `"provider:model"` string may name. */
export const MODEL_PROVIDERS = ["openai", "anthropic", "ollama"] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

export interface ModelSpec {
  provider: ModelProvider;
  /** Everything after the first ':'; may itself contain ':' (`ollama:llama3.2:1b`). */
  modelId: string;
}

export interface ModelDescription {
  /** `model.provider` up to its first '.': `openai.responses` -> `openai`. */
  provider: string;
  id: string;
  /** `provider:id`, the form a model string takes. */
  spec: string;
}

const EXAMPLE = `e.g. "openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5" or "ollama:llama3.2"`;

function isModelProvider(name: string): name is ModelProvider {
  return (MODEL_PROVIDERS as readonly string[]).includes(name);
}

/** Parses `"openai:gpt-4o"` into its provider and model id; throws a TypeError that says what is wrong. */
export function parseModelSpec(spec: string): ModelSpec {
  if (typeof spec !== "string" || spec.trim() === "") {
    throw new TypeError(`Model must be a "provider:model" string, ${EXAMPLE}; got ${JSON.stringify(spec)}`);
  }
  const text = spec.trim();
  const colon = text.indexOf(":");
  if (colon === -1) {
    throw new TypeError(
      `Model "${text}" names no provider: write "provider:model", ${EXAMPLE} (known providers: ${MODEL_PROVIDERS.join(", ")})`,
    );
  }
  const provider = text.slice(0, colon).trim().toLowerCase();
  const modelId = text.slice(colon + 1).trim();
  if (provider === "") {
    throw new TypeError(
      `Model "${text}" names no provider before ':' (known providers: ${MODEL_PROVIDERS.join(", ")})`,
    );
  }
  if (!isModelProvider(provider)) {
    throw new TypeError(
      `Unknown model provider "${provider}" in "${text}"; known providers: ${MODEL_PROVIDERS.join(", ")}`,
    );
  }
  if (modelId === "") {
    throw new TypeError(`Model "${text}" names no model after "${provider}:", ${EXAMPLE}`);
  }
  return { provider, modelId };
}

/** Names a model the way a model string would: `{provider: "openai", id: "gpt-4o", spec: "openai:gpt-4o"}`. */
export function describeModel(model: LanguageModelV3): ModelDescription {
  const dot = model.provider.indexOf(".");
  const provider = dot === -1 ? model.provider : model.provider.slice(0, dot);
  return { provider, id: model.modelId, spec: `${provider}:${model.modelId}` };
}
