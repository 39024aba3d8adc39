import type { LanguageModelV3 } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { isAbortError, ModelRequestError } from "../../src/model/errors.js";
import { describeModel, MODEL_PROVIDERS, parseModelSpec } from "../../src/model/spec.js";

function fakeModel(provider: string, modelId: string): LanguageModelV3 {
  const unused = () => Promise.reject(new Error("not called"));
  return {
    specificationVersion: "v3",
    provider,
    modelId,
    supportedUrls: {},
    doGenerate: unused,
    doStream: unused,
  };
}

describe("parseModelSpec", () => {
  it("splits provider and model id at the first ':'", () => {
    expect(parseModelSpec("openai:gpt-4o")).toEqual({ provider: "openai", modelId: "gpt-4o" });
    expect(parseModelSpec("anthropic:claude-sonnet-4-5")).toEqual({
      provider: "anthropic",
      modelId: "claude-sonnet-4-5",
    });
    expect(parseModelSpec("ollama:llama3.2:1b")).toEqual({ provider: "ollama", modelId: "llama3.2:1b" });
    expect(parseModelSpec("ollama:hf.co/org/model:Q4_K_M")).toEqual({
      provider: "ollama",
      modelId: "hf.co/org/model:Q4_K_M",
    });
  });

  it("tolerates surrounding spaces and an upper-case provider", () => {
    expect(parseModelSpec("  OpenAI:gpt-4o-mini ")).toEqual({ provider: "openai", modelId: "gpt-4o-mini" });
  });

  it("rejects a string without a provider and says how to write one", () => {
    expect(() => parseModelSpec("gpt-4o")).toThrow(TypeError);
    expect(() => parseModelSpec("gpt-4o")).toThrow(
      'Model "gpt-4o" names no provider: write "provider:model", e.g. "openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5" or "ollama:llama3.2" (known providers: openai, anthropic, ollama)',
    );
    expect(() => parseModelSpec(":gpt-4o")).toThrow(
      /names no provider before ':' \(known providers: openai, anthropic, ollama\)/,
    );
  });

  it("rejects an unknown provider and lists the known ones", () => {
    expect(() => parseModelSpec("mistral:large")).toThrow(TypeError);
    expect(() => parseModelSpec("mistral:large")).toThrow(
      'Unknown model provider "mistral" in "mistral:large"; known providers: openai, anthropic, ollama',
    );
  });

  it("rejects an empty model id and an empty string", () => {
    expect(() => parseModelSpec("openai:")).toThrow('Model "openai:" names no model after "openai:"');
    expect(() => parseModelSpec("")).toThrow(/must be a "provider:model" string/);
    expect(() => parseModelSpec(undefined as unknown as string)).toThrow(TypeError);
  });

  it("knows the three providers", () => {
    expect([...MODEL_PROVIDERS]).toEqual(["openai", "anthropic", "ollama"]);
  });
});

describe("describeModel", () => {
  it("takes the provider before the first '.' of model.provider", () => {
    expect(describeModel(fakeModel("openai.responses", "gpt-4o"))).toEqual({
      provider: "openai",
      id: "gpt-4o",
      spec: "openai:gpt-4o",
    });
    expect(describeModel(fakeModel("ollama.chat", "llama3.2:1b"))).toEqual({
      provider: "ollama",
      id: "llama3.2:1b",
      spec: "ollama:llama3.2:1b",
    });
    expect(describeModel(fakeModel("anthropic.messages", "claude-3-5-haiku")).spec).toBe(
      "anthropic:claude-3-5-haiku",
    );
  });

  it("keeps a provider name without a dot whole", () => {
    expect(describeModel(fakeModel("scripted", "demo"))).toEqual({
      provider: "scripted",
      id: "demo",
      spec: "scripted:demo",
    });
  });
});

describe("ModelRequestError", () => {
  it("reads as model, attempts, status line and the provider's message", () => {
    const cause = new Error("upstream");
    const err = new ModelRequestError({
      provider: "openai",
      modelId: "gpt-4o",
      statusCode: 429,
      attempts: 3,
      retryable: true,
      detail: "Rate limit reached for gpt-4o",
      cause,
    });
    expect(err.message).toBe(
      "openai:gpt-4o request failed after 3 attempts: 429 Too Many Requests: Rate limit reached for gpt-4o",
    );
    expect(err.name).toBe("ModelRequestError");
    expect(err).toBeInstanceOf(Error);
    expect(err.cause).toBe(cause);
    expect([err.provider, err.modelId, err.statusCode, err.attempts, err.retryable]).toEqual([
      "openai",
      "gpt-4o",
      429,
      3,
      true,
    ]);
  });

  it("does not repeat a reason phrase the provider echoed as its message", () => {
    const err = new ModelRequestError({
      provider: "ollama",
      modelId: "llama3.2",
      statusCode: 502,
      attempts: 1,
      retryable: true,
      detail: "Bad Gateway",
    });
    expect(err.message).toBe("ollama:llama3.2 request failed: 502 Bad Gateway");
  });

  it("reads without a status when the provider never answered", () => {
    const err = new ModelRequestError({
      provider: "anthropic",
      modelId: "claude-sonnet-4-5",
      attempts: 2,
      retryable: true,
      detail: "timed out: no response within 500 ms",
    });
    expect(err.message).toBe(
      "anthropic:claude-sonnet-4-5 request failed after 2 attempts: timed out: no response within 500 ms",
    );
    expect(err.statusCode).toBeUndefined();
  });
});

describe("isAbortError", () => {
  it("recognizes what aborted signals and fetch throw", () => {
    const controller = new AbortController();
    controller.abort();
    expect(isAbortError(controller.signal.reason)).toBe(true);
    expect(isAbortError(new DOMException("timed out", "TimeoutError"))).toBe(true);
    expect(isAbortError(Object.assign(new Error("aborted"), { name: "AbortError" }))).toBe(true);
    expect(isAbortError(new Error("boom"))).toBe(false);
    expect(isAbortError("AbortError")).toBe(false);
    expect(isAbortError(null)).toBe(false);
  });
});
