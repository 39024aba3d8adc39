import { APICallError } from "@ai-sdk/provider";
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { ModelRequestError } from "../../src/model/errors.js";
import { ollamaBaseURL, resolveModel } from "../../src/model/router.js";
import { callOptions, startLoopback, writeJson } from "./loopback.js";

/** A fetch that records calls and fails: resolving a model must never reach it. */
function forbiddenFetch() {
  const calls: string[] = [];
  const fetch = (async (input: unknown) => {
    calls.push(String(input));
    throw new Error("no network in this test");
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

describe("resolveModel", () => {
  it("builds each provider's model without touching the network", () => {
    const { fetch, calls } = forbiddenFetch();
    const env = {};
    const openai = resolveModel("openai:gpt-4o-mini", { env, fetch });
    const anthropic = resolveModel("anthropic:claude-sonnet-4-5", { env, fetch });
    const ollama = resolveModel("ollama:llama3.2:1b", { env, fetch });

    expect([openai.provider, openai.modelId]).toEqual(["openai.responses", "gpt-4o-mini"]);
    expect([anthropic.provider, anthropic.modelId]).toEqual(["anthropic.messages", "claude-sonnet-4-5"]);
    expect([ollama.provider, ollama.modelId]).toEqual(["ollama.chat", "llama3.2:1b"]);
    for (const model of [openai, anthropic, ollama]) expect(model.specificationVersion).toBe("v3");
    expect(calls).toEqual([]);
  });

  it("throws the parser's TypeError for a bad string", () => {
    expect(() => resolveModel("gpt-4o")).toThrow(TypeError);
    expect(() => resolveModel("groq:llama")).toThrow(/known providers: openai, anthropic, ollama/);
  });

  it("reports a missing API key at call time, naming the variable, without a request", async () => {
    const { fetch, calls } = forbiddenFetch();
    const model = resolveModel("openai:gpt-4o", { env: {}, fetch });

    const err = await model.doStream(callOptions()).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(ModelRequestError);
    expect((err as Error).message).toBe(
      "openai:gpt-4o request failed: OpenAI API key is missing: set the OPENAI_API_KEY environment variable",
    );
    expect((err as ModelRequestError).retryable).toBe(false);
    expect(calls).toEqual([]);

    const anthropic = resolveModel("anthropic:claude-sonnet-4-5", {
      env: { ANTHROPIC_API_KEY: "  " },
      fetch,
    });
    await expect(anthropic.doGenerate(callOptions())).rejects.toThrow(
      "anthropic:claude-sonnet-4-5 request failed: Anthropic API key is missing: set the ANTHROPIC_API_KEY environment variable",
    );
  });

  it("uses the given fetch and env, and returns the bare SDK model with retry: false", async () => {
    const server = await startLoopback((_req, res) =>
      writeJson(res, 500, { error: { message: "internal", type: "server_error" } }),
    );
    try {
      const model = resolveModel("openai:gpt-4o", {
        env: { OPENAI_API_KEY: "sk-x", OPENAI_BASE_URL: `${server.origin}/v1/` },
        retry: false,
      });
      const err = await model.doGenerate(callOptions()).then(
        () => undefined,
        (e: unknown) => e,
      );
      // Unwrapped: the SDK's own error, and a single request.
      expect(APICallError.isInstance(err)).toBe(true);
      expect(server.requests.map((r) => r.path)).toEqual(["/v1/responses"]);
    } finally {
      await server.close();
    }
  });

  it("wraps a model object with retries and keeps its identity fields", async () => {
    let calls = 0;
    const supportedUrls = { "image/*": [/^https:\/\//] };
    const scripted: LanguageModelV3 = {
      specificationVersion: "v3",
      provider: "scripted.test",
      modelId: "echo",
      supportedUrls,
      doGenerate: async () => {
        calls++;
        if (calls === 1) {
          throw new APICallError({
            message: "overloaded",
            url: "http://scripted",
            requestBodyValues: {},
            statusCode: 529,
            responseHeaders: { "retry-after-ms": "1" },
          });
        }
        return {
          content: [{ type: "text", text: "ok" }],
          finishReason: { unified: "stop", raw: "stop" },
          usage: {
            inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
            outputTokens: { total: 1, text: 1, reasoning: 0 },
          },
          warnings: [],
        };
      },
      doStream: () => Promise.reject(new Error("unused")),
    };

    const model = resolveModel(scripted);
    const result = await model.doGenerate(callOptions());

    expect(result.content).toEqual([{ type: "text", text: "ok" }]);
    expect(calls).toBe(2);
    expect(model).not.toBe(scripted);
    expect([model.provider, model.modelId, model.supportedUrls]).toEqual([
      "scripted.test",
      "echo",
      supportedUrls,
    ]);
    expect(resolveModel(scripted, { retry: false })).toBe(scripted);
  });
});

describe("ollamaBaseURL", () => {
  it("defaults to the local Ollama server", () => {
    expect(ollamaBaseURL(undefined)).toBe("http://localhost:11434/v1");
    expect(ollamaBaseURL("")).toBe("http://localhost:11434/v1");
  });

  it("accepts OLLAMA_HOST with or without scheme, port, trailing slash and /v1", () => {
    expect(ollamaBaseURL("http://gpu-box:11434")).toBe("http://gpu-box:11434/v1");
    expect(ollamaBaseURL("http://gpu-box:11434/")).toBe("http://gpu-box:11434/v1");
    expect(ollamaBaseURL("http://gpu-box:11434/v1")).toBe("http://gpu-box:11434/v1");
    expect(ollamaBaseURL("https://ollama.example.com/v1/")).toBe("https://ollama.example.com/v1");
    expect(ollamaBaseURL("127.0.0.1:8080")).toBe("http://127.0.0.1:8080/v1");
    expect(ollamaBaseURL("gpu-box")).toBe("http://gpu-box:11434/v1");
    expect(ollamaBaseURL("0.0.0.0:11434/v1")).toBe("http://0.0.0.0:11434/v1");
    expect(ollamaBaseURL("[::1]:11434")).toBe("http://[::1]:11434/v1");
    expect(ollamaBaseURL("https://proxy.example.com/ollama")).toBe("https://proxy.example.com/ollama/v1");
  });
});
