import type { LanguageModelV3 } from "@ai-sdk/provider";
import { OfflineDemoModel, resolveModel } from "../../src/model/index.js";

export interface DemoModelChoice {
  model: LanguageModelV3;
  /** How it was chosen, for the startup log. */
  reason: string;
  offline: boolean;
}

/**
 * AGENTOS_MODEL if set; else OpenAI or Anthropic when their key is present; else the offline
 * demo model, which needs no network.
 */
export function chooseDemoModel(env: Record<string, string | undefined>): DemoModelChoice {
  if (env.AGENTOS_MODEL)
    return {
      model: resolveModel(env.AGENTOS_MODEL, { env }),
      reason: `AGENTOS_MODEL=${env.AGENTOS_MODEL}`,
      offline: false,
    };
  if (env.OPENAI_API_KEY)
    return {
      model: resolveModel("openai:gpt-4o-mini", { env }),
      reason: "OPENAI_API_KEY is set",
      offline: false,
    };
  if (env.ANTHROPIC_API_KEY)
    return {
      model: resolveModel("anthropic:claude-3-5-haiku-latest", { env }),
      reason: "ANTHROPIC_API_KEY is set",
      offline: false,
    };
  const raw = env.AGENTOS_DEMO_MODEL_DELAY_MS;
  const delayMs = raw === undefined || raw === "" ? 20 : Number(raw);
  if (!Number.isFinite(delayMs) || delayMs < 0)
    throw new Error(`AGENTOS_DEMO_MODEL_DELAY_MS must be a number of milliseconds, got '${raw}'`);
  return { model: new OfflineDemoModel({ delayMs }), reason: "no provider configured", offline: true };
}
