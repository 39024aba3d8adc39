import { APICallError } from "@ai-sdk/provider";
import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { isAbortError, ModelRequestError } from "../../src/model/errors.js";
import { retryAfterMs, withRetry } from "../../src/model/retry.js";
import type { RetryInfo, RetryOptions } from "../../src/model/retry.js";
import { resolveModel } from "../../src/model/router.js";
import { callOptions, collectStream, startLoopback, writeJson } from "./loopback.js";
import type { Loopback } from "./loopback.js";

// The real OpenAI SDK model against a loopback server that fails the way the API does.

let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function openai(origin: string, retry?: RetryOptions | false) {
  return resolveModel("openai:gpt-4o", {
    env: { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: `${origin}/v1` },
    retry,
  });
}

/** Writes the SSE lines of a minimal Responses API stream, one text delta per entry of `text`. */
function sseEvents(text: string[]): string[] {
  const item = { id: "msg_1", type: "message", role: "assistant" };
  const response = {
    id: "resp_1",
    object: "response",
    created_at: 1_741_290_958,
    model: "gpt-4o",
    output: [],
  };
  const events: Array<Record<string, unknown>> = [
    { type: "response.created", response: { ...response, status: "in_progress" } },
    {
      type: "response.output_item.added",
      output_index: 0,
      item: { ...item, status: "in_progress", content: [] },
    },
    ...text.map((delta) => ({
      type: "response.output_text.delta",
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      delta,
      logprobs: [],
    })),
    {
      type: "response.output_item.done",
      output_index: 0,
      item: {
        ...item,
        status: "completed",
        content: [{ type: "output_text", text: text.join(""), annotations: [] }],
      },
    },
    {
      type: "response.completed",
      response: {
        ...response,
        status: "completed",
        usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 },
      },
    },
  ];
  return events.map((e, i) => `event: ${e.type}\ndata: ${JSON.stringify({ ...e, sequence_number: i })}\n\n`);
}

function succeed(res: ServerResponse, text = ["Hello", "!"]): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (const line of sseEvents(text)) res.write(line);
  res.end();
}

function fail(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  writeJson(res, status, { error: { message, type: "requests", param: null, code: null } }, headers);
}

async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

describe("withRetry over the real OpenAI SDK", () => {
  it("retries a 429 after the retry-after-ms the provider asks for, then streams", async () => {
    server = await startLoopback((_req, res, i) =>
      i === 0 ? fail(res, 429, "Rate limit reached for gpt-4o", { "retry-after-ms": "50" }) : succeed(res),
    );
    const retries: RetryInfo[] = [];
    const model = openai(server.origin, { initialDelayMs: 5_000, onRetry: (info) => retries.push(info) });

    const started = Date.now();
    const out = await collectStream(model);

    expect(out.text).toBe("Hello!");
    expect(server.requests).toHaveLength(2);
    expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([[1, 50]]);
    expect(APICallError.isInstance(retries[0].error) && retries[0].error.statusCode).toBe(429);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("retries two 500s with backoff and succeeds on the third attempt", async () => {
    server = await startLoopback((_req, res, i) =>
      i < 2 ? fail(res, 500, "The server had an error") : succeed(res),
    );
    const delays: number[] = [];
    const model = openai(server.origin, { initialDelayMs: 10, onRetry: (info) => delays.push(info.delayMs) });

    const out = await collectStream(model);

    expect(out.text).toBe("Hello!");
    expect(server.requests).toHaveLength(3);
    // exponential with ±25% jitter: ~10 then ~20
    expect(delays[0]).toBeGreaterThanOrEqual(7);
    expect(delays[0]).toBeLessThanOrEqual(13);
    expect(delays[1]).toBeGreaterThanOrEqual(15);
    expect(delays[1]).toBeLessThanOrEqual(25);
  });

  it("does not retry a 400 and reports the provider's message", async () => {
    server = await startLoopback((_req, res) => fail(res, 400, "Invalid 'input': expected an array"));
    const model = openai(server.origin, { initialDelayMs: 1 });

    const err = await rejection(model.doStream(callOptions()));

    expect(server.requests).toHaveLength(1);
    expect(err).toBeInstanceOf(ModelRequestError);
    const e = err as ModelRequestError;
    expect(e.statusCode).toBe(400);
    expect(e.attempts).toBe(1);
    expect(e.retryable).toBe(false);
    expect(e.provider).toBe("openai");
    expect(e.modelId).toBe("gpt-4o");
    expect(e.message).toBe(
      "openai:gpt-4o request failed: 400 Bad Request: Invalid 'input': expected an array",
    );
    expect(APICallError.isInstance(e.cause)).toBe(true);
  });

  it("gives up after maxAttempts with a ModelRequestError that says so", async () => {
    server = await startLoopback((_req, res) =>
      fail(res, 503, "The engine is currently overloaded", { "retry-after": "0" }),
    );
    const model = openai(server.origin);

    const err = await rejection(model.doGenerate(callOptions()));

    expect(server.requests).toHaveLength(3);
    expect(err).toBeInstanceOf(ModelRequestError);
    const e = err as ModelRequestError;
    expect(e.attempts).toBe(3);
    expect(e.statusCode).toBe(503);
    expect(e.retryable).toBe(true);
    expect(e.message).toBe(
      "openai:gpt-4o request failed after 3 attempts: 503 Service Unavailable: The engine is currently overloaded",
    );
  });

  it("retries a refused connection and reports it", async () => {
    const closed = await startLoopback(() => {});
    await closed.close();
    const model = openai(closed.origin, { maxAttempts: 2, initialDelayMs: 5 });

    const err = await rejection(model.doStream(callOptions()));

    expect(err).toBeInstanceOf(ModelRequestError);
    const e = err as ModelRequestError;
    expect(e.attempts).toBe(2);
    expect(e.statusCode).toBeUndefined();
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/^openai:gpt-4o request failed after 2 attempts: .*ECONNREFUSED/);
  });

  it("wakes from a long backoff as soon as the caller aborts, without retrying", async () => {
    const controller = new AbortController();
    server = await startLoopback((_req, res) => {
      fail(res, 429, "Rate limit reached", { "retry-after": "30" });
      setTimeout(() => controller.abort(), 50);
    });
    const retries: RetryInfo[] = [];
    const model = openai(server.origin, { onRetry: (info) => retries.push(info) });

    const started = Date.now();
    const err = await rejection(model.doStream(callOptions({ abortSignal: controller.signal })));

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(retries.map((r) => r.delayMs)).toEqual([30_000]);
    expect(isAbortError(err)).toBe(true);
    expect(err).not.toBeInstanceOf(ModelRequestError);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests).toHaveLength(1);
  });

  it("surfaces a caller abort during a request at once and does not retry it", async () => {
    const controller = new AbortController();
    server = await startLoopback(() => setTimeout(() => controller.abort(), 30)); // never answers
    const model = openai(server.origin, { initialDelayMs: 1 });

    const started = Date.now();
    const err = await rejection(model.doStream(callOptions({ abortSignal: controller.signal })));

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(isAbortError(err)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it("times out an attempt that gets no response, then retries it", async () => {
    server = await startLoopback(() => {}); // never answers
    const model = openai(server.origin, { timeoutMs: 150, maxAttempts: 2, initialDelayMs: 5 });

    const started = Date.now();
    const err = await rejection(model.doStream(callOptions()));

    expect(Date.now() - started).toBeLessThan(1_500);
    expect(server.requests).toHaveLength(2);
    expect(err).toBeInstanceOf(ModelRequestError);
    const e = err as ModelRequestError;
    expect(e.attempts).toBe(2);
    expect(e.retryable).toBe(true);
    expect(e.message).toBe(
      "openai:gpt-4o request failed after 2 attempts: timed out: no response within 150 ms",
    );
  });

  it("lets a stream run past timeoutMs once its headers have arrived", async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const lines = sseEvents(["slow ", "but ", "complete"]);
      let i = 0;
      const timer = setInterval(() => {
        res.write(lines[i++]);
        if (i === lines.length) {
          clearInterval(timer);
          res.end();
        }
      }, 40); // 7 events: ~280 ms in all
    });
    const model = openai(server.origin, { timeoutMs: 100 });

    const out = await collectStream(model);

    expect(out.errors).toEqual([]);
    expect(out.text).toBe("slow but complete");
    expect(server.requests).toHaveLength(1);
  });

  it("rewraps an already wrapped model instead of multiplying attempts", async () => {
    server = await startLoopback((_req, res) => fail(res, 500, "boom", { "retry-after-ms": "0" }));
    const model = withRetry(openai(server.origin, { maxAttempts: 3 }), { maxAttempts: 2 });

    const err = await rejection(model.doGenerate(callOptions()));

    expect((err as ModelRequestError).attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    expect(model.provider).toBe("openai.responses");
    expect(model.modelId).toBe("gpt-4o");
    expect(model.specificationVersion).toBe("v3");
  });
});

describe("retryAfterMs", () => {
  it("reads retry-after-ms, retry-after seconds and an HTTP date", () => {
    expect(retryAfterMs({ "retry-after-ms": "250" })).toBe(250);
    expect(retryAfterMs({ "Retry-After": "2" })).toBe(2_000);
    expect(retryAfterMs({ "retry-after-ms": "40", "retry-after": "9" })).toBe(40);
    const inFiveSeconds = new Date(Date.now() + 5_000).toUTCString();
    const fromDate = retryAfterMs({ "retry-after": inFiveSeconds })!;
    expect(fromDate).toBeGreaterThan(3_000);
    expect(fromDate).toBeLessThanOrEqual(5_000);
    expect(retryAfterMs({ "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" })).toBe(0);
    expect(retryAfterMs({ "retry-after": "soon" })).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it("caps a provider's wait at maxDelayMs", async () => {
    server = await startLoopback((_req, res, i) =>
      i === 0 ? fail(res, 429, "slow down", { "retry-after": "3600" }) : succeed(res),
    );
    const delays: number[] = [];
    const model = openai(server.origin, { maxDelayMs: 20, onRetry: (info) => delays.push(info.delayMs) });

    const out = await collectStream(model);

    expect(out.text).toBe("Hello!");
    expect(delays).toEqual([20]);
  });
});
