import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../../src/agent/index.js";
import { resolveModel } from "../../src/model/index.js";
import { tool } from "../../src/tool/index.js";
import { startLoopback, writeSse } from "../model/loopback.js";
import type { Loopback } from "../model/loopback.js";
import { testOS } from "../helpers/test-os.js";
import type { TestOS } from "../helpers/test-os.js";

const chunk = (choices: unknown[], extra: object = {}) => ({
  id: "c1",
  object: "chat.completion.chunk",
  created: 1,
  model: "llama3.2",
  choices,
  ...extra,
});
const usage = (p: number, c: number): [null, unknown] => [
  null,
  chunk([], { usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c } }),
];

let server: Loopback | undefined;
let t: TestOS | undefined;
afterEach(async () => {
  await t?.cleanup();
  await server?.close();
  t = server = undefined;
});

describe("an agent over a real provider SDK (Ollama's OpenAI-compatible wire format on loopback)", () => {
  it("runs a tool the model asks for and sends the result back in the provider's format", async () => {
    server = await startLoopback((req, res, index) => {
      if (index === 0) {
        writeSse(res, [
          [
            null,
            chunk([
              {
                index: 0,
                delta: {
                  role: "assistant",
                  tool_calls: [
                    {
                      id: "call_1",
                      index: 0,
                      type: "function",
                      function: { name: "add", arguments: '{"a":2,"b":40}' },
                    },
                  ],
                },
                finish_reason: null,
              },
            ]),
          ],
          [null, chunk([{ index: 0, delta: {}, finish_reason: "tool_calls" }])],
          usage(50, 10),
          [null, "[DONE]"],
        ]);
      } else {
        writeSse(res, [
          [null, chunk([{ index: 0, delta: { role: "assistant", content: "It is " }, finish_reason: null }])],
          [null, chunk([{ index: 0, delta: { content: "42." }, finish_reason: "stop" }])],
          usage(80, 4),
          [null, "[DONE]"],
        ]);
      }
    });
    const add = tool({
      name: "add",
      description: "Adds",
      input: z.object({ a: z.number(), b: z.number() }),
      execute: ({ a, b }) => a + b,
    });
    const model = resolveModel("ollama:llama3.2", { env: { OLLAMA_HOST: server.origin } });
    t = await testOS({
      agents: [new Agent({ id: "math", name: "Math", model, tools: [add], instructions: "Use tools." })],
      logger: pino({ level: "silent" }),
    });
    const body = (
      await t.inject({ method: "POST", url: "/agents/math/runs", payload: { message: "what is 2+40?" } })
    ).json();
    expect(body).toMatchObject({
      status: "COMPLETED",
      content: "It is 42.",
      model: "llama3.2",
      model_provider: "ollama",
    });
    expect(body.metrics).toMatchObject({
      input_tokens: 130,
      output_tokens: 14,
      total_tokens: 144,
      model_requests: 2,
      tool_calls: 1,
    });
    const second = server.requests[1].body;
    expect(second.messages[0]).toEqual({ role: "system", content: "Use tools." });
    expect(second.messages).toContainEqual(
      expect.objectContaining({
        role: "assistant",
        tool_calls: [
          expect.objectContaining({ id: "call_1", function: { name: "add", arguments: '{"a":2,"b":40}' } }),
        ],
      }),
    );
    expect(second.messages).toContainEqual({ role: "tool", tool_call_id: "call_1", content: "42" });
    expect(server.requests[0].body.tools[0].function.name).toBe("add");
  });

  it("retries 503s honouring retry-after-ms, then ends the run with a clear RunError", async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(503, { "content-type": "application/json", "retry-after-ms": "10" });
      res.end(JSON.stringify({ error: { message: "model is loading" } }));
    });
    const model = resolveModel("ollama:llama3.2", { env: { OLLAMA_HOST: server.origin } });
    t = await testOS({
      agents: [new Agent({ id: "m", name: "M", model })],
      logger: pino({ level: "silent" }),
    });
    const body = (
      await t.inject({ method: "POST", url: "/agents/m/runs", payload: { message: "hi" } })
    ).json();
    expect(server.requests).toHaveLength(3);
    expect(body.status).toBe("ERROR");
    expect(body.error).toMatch(/^ollama:llama3\.2 request failed after 3 attempts: 503/);
    expect(body.error).toContain("model is loading");
  });

  it("reports a missing API key by the variable to set", async () => {
    t = await testOS({
      agents: [new Agent({ id: "o", name: "O", model: resolveModel("openai:gpt-4o", { env: {} }) })],
      logger: pino({ level: "silent" }),
    });
    const body = (
      await t.inject({ method: "POST", url: "/agents/o/runs", payload: { message: "hi" } })
    ).json();
    expect(body.status).toBe("ERROR");
    expect(body.error).toContain("OPENAI_API_KEY");
  });
});
