import type { LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { ScriptedModel } from "../../src/model/scripted-model.js";

const request = (text: string): LanguageModelV3CallOptions => ({
  prompt: [{ role: "user", content: [{ type: "text", text }] }],
});

async function answer(model: ScriptedModel, text: string): Promise<string> {
  const result = await model.doGenerate(request(text));
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
}

describe("ScriptedModel", () => {
  it("records the first 1,000 requests and keeps counting turns past them", async () => {
    const model = new ScriptedModel({ fallback: (_options, index) => `turn ${index}` });
    for (let i = 0; i < 1004; i++) await answer(model, `q${i}`);
    expect(await answer(model, "last")).toBe("turn 1004");
    expect(model.calls).toHaveLength(1000);
    expect(model.calls[999]!.prompt).toEqual(request("q999").prompt);
  });
});
