import { afterEach, describe, expect, it } from "vitest";
import { resolveModel } from "../../src/model/router.js";
import { describeModel } from "../../src/model/spec.js";
import { collectStream, startLoopback, writeJson, writeSse } from "./loopback.js";
import type { Loopback } from "./loopback.js";

// Each provider's documented streaming wire format, replayed through the real SDK model that
// resolveModel builds, pointed at a loopback server through the base-URL environment variables.

let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const WEATHER_ARGS = { city: "Paris" };

describe("OpenAI Responses API (openai:<id>)", () => {
  const created = 1_741_290_958;
  const message = {
    id: "msg_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654",
    type: "message",
    role: "assistant",
  };
  const call = { id: "fc_12345xyz", type: "function_call", call_id: "call_12345xyz", name: "get_weather" };
  const usage = {
    input_tokens: 37,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 18,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 55,
  };
  const response = (status: string, extra: object = {}) => ({
    id: "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654",
    object: "response",
    created_at: created,
    status,
    model: "gpt-4o-2024-08-06",
    output: [],
    parallel_tool_calls: true,
    usage: null,
    ...extra,
  });
  let seq = 0;
  const event = (type: string, body: object): [string, unknown] => [
    type,
    { type, sequence_number: seq++, ...body },
  ];

  it("streams text deltas, a function call and usage", async () => {
    seq = 0;
    const text = ["It is ", "sunny ", "in Paris", "."];
    server = await startLoopback((_req, res) =>
      writeSse(res, [
        event("response.created", { response: response("in_progress") }),
        event("response.in_progress", { response: response("in_progress") }),
        event("response.output_item.added", {
          output_index: 0,
          item: { ...message, status: "in_progress", content: [] },
        }),
        event("response.content_part.added", {
          item_id: message.id,
          output_index: 0,
          content_index: 0,
          part: { type: "output_text", text: "", annotations: [] },
        }),
        ...text.map((delta) =>
          event("response.output_text.delta", {
            item_id: message.id,
            output_index: 0,
            content_index: 0,
            delta,
            logprobs: [],
          }),
        ),
        event("response.output_text.done", {
          item_id: message.id,
          output_index: 0,
          content_index: 0,
          text: text.join(""),
          logprobs: [],
        }),
        event("response.content_part.done", {
          item_id: message.id,
          output_index: 0,
          content_index: 0,
          part: { type: "output_text", text: text.join(""), annotations: [] },
        }),
        event("response.output_item.done", {
          output_index: 0,
          item: {
            ...message,
            status: "completed",
            content: [{ type: "output_text", text: text.join(""), annotations: [] }],
          },
        }),
        event("response.output_item.added", {
          output_index: 1,
          item: { ...call, status: "in_progress", arguments: "" },
        }),
        event("response.function_call_arguments.delta", {
          item_id: call.id,
          output_index: 1,
          delta: '{"city":',
        }),
        event("response.function_call_arguments.delta", {
          item_id: call.id,
          output_index: 1,
          delta: '"Paris"}',
        }),
        event("response.function_call_arguments.done", {
          item_id: call.id,
          output_index: 1,
          arguments: JSON.stringify(WEATHER_ARGS),
        }),
        event("response.output_item.done", {
          output_index: 1,
          item: { ...call, status: "completed", arguments: JSON.stringify(WEATHER_ARGS) },
        }),
        event("response.completed", { response: response("completed", { usage }) }),
      ]),
    );
    const model = resolveModel("openai:gpt-4o", {
      env: { OPENAI_API_KEY: "sk-test-openai", OPENAI_BASE_URL: `${server.origin}/v1` },
    });
    expect(describeModel(model)).toEqual({ provider: "openai", id: "gpt-4o", spec: "openai:gpt-4o" });

    const out = await collectStream(model);

    expect(out.errors).toEqual([]);
    expect(out.text).toBe("It is sunny in Paris.");
    expect(out.toolCalls).toEqual([
      { toolCallId: "call_12345xyz", toolName: "get_weather", input: WEATHER_ARGS },
    ]);
    expect(out.usage?.inputTokens.total).toBe(37);
    expect(out.usage?.outputTokens.total).toBe(18);
    expect(out.finishReason?.unified).toBe("tool-calls");

    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/v1/responses");
    expect(req.headers.authorization).toBe("Bearer sk-test-openai");
    expect(req.body.model).toBe("gpt-4o");
    expect(req.body.stream).toBe(true);
    expect(JSON.stringify(req.body.input)).toContain("What is the weather in Paris?");
    expect(req.body.tools.map((t: { name: string }) => t.name)).toEqual(["get_weather"]);
  });
});

describe("Anthropic Messages API (anthropic:<id>)", () => {
  it("streams text deltas, a tool_use block and usage", async () => {
    const text = ["I'll check ", "the weather ", "for you."];
    const json = ["", '{"ci', 'ty": "Pa', 'ris"}'];
    server = await startLoopback((_req, res) =>
      writeSse(res, [
        [
          "message_start",
          {
            type: "message_start",
            message: {
              id: "msg_01T1x1fJ34qAmk2tNTrN7Up6",
              type: "message",
              role: "assistant",
              content: [],
              model: "claude-sonnet-4-5-20250929",
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 472, output_tokens: 2 },
            },
          },
        ],
        [
          "content_block_start",
          { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
        ],
        ["ping", { type: "ping" }],
        ...text.map((t): [string, unknown] => [
          "content_block_delta",
          { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: t } },
        ]),
        ["content_block_stop", { type: "content_block_stop", index: 0 }],
        [
          "content_block_start",
          {
            type: "content_block_start",
            index: 1,
            content_block: {
              type: "tool_use",
              id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
              name: "get_weather",
              input: {},
            },
          },
        ],
        ...json.map((partial_json): [string, unknown] => [
          "content_block_delta",
          { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json } },
        ]),
        ["content_block_stop", { type: "content_block_stop", index: 1 }],
        [
          "message_delta",
          {
            type: "message_delta",
            delta: { stop_reason: "tool_use", stop_sequence: null },
            usage: { output_tokens: 89 },
          },
        ],
        ["message_stop", { type: "message_stop" }],
      ]),
    );
    const model = resolveModel("anthropic:claude-sonnet-4-5", {
      env: { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: `${server.origin}/v1` },
    });
    expect(describeModel(model).spec).toBe("anthropic:claude-sonnet-4-5");

    const out = await collectStream(model);

    expect(out.errors).toEqual([]);
    expect(out.text).toBe("I'll check the weather for you.");
    expect(out.toolCalls).toEqual([
      { toolCallId: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", toolName: "get_weather", input: WEATHER_ARGS },
    ]);
    expect(out.usage?.inputTokens.total).toBe(472);
    expect(out.usage?.outputTokens.total).toBe(89);
    expect(out.finishReason?.unified).toBe("tool-calls");

    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req.path).toBe("/v1/messages");
    expect(req.headers["x-api-key"]).toBe("sk-ant-test");
    expect(req.headers["anthropic-version"]).toBe("2023-06-01");
    expect(req.body.model).toBe("claude-sonnet-4-5");
    expect(req.body.stream).toBe(true);
    expect(JSON.stringify(req.body.system)).toContain("Be brief.");
    expect(req.body.tools.map((t: { name: string }) => t.name)).toEqual(["get_weather"]);
  });
});

describe("Ollama through OpenAI-compatible chat completions (ollama:<id>)", () => {
  const chunk = (choices: unknown[], extra: object = {}) => ({
    id: "chatcmpl-532",
    object: "chat.completion.chunk",
    created: 1_741_290_958,
    model: "llama3.2:1b",
    system_fingerprint: "fp_ollama",
    choices,
    ...extra,
  });

  it("streams content deltas, a tool_calls delta and the usage chunk", async () => {
    const text = ["Checking", " the", " weather."];
    server = await startLoopback((_req, res) =>
      writeSse(res, [
        ...text.map((content): [null, unknown] => [
          null,
          chunk([{ index: 0, delta: { role: "assistant", content }, finish_reason: null }]),
        ]),
        [
          null,
          chunk([
            {
              index: 0,
              delta: {
                role: "assistant",
                content: "",
                tool_calls: [
                  {
                    id: "call_7ilyxwm4",
                    index: 0,
                    type: "function",
                    function: { name: "get_weather", arguments: JSON.stringify(WEATHER_ARGS) },
                  },
                ],
              },
              finish_reason: null,
            },
          ]),
        ],
        [null, chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: "tool_calls" }])],
        [null, chunk([], { usage: { prompt_tokens: 163, completion_tokens: 21, total_tokens: 184 } })],
        [null, "[DONE]"],
      ]),
    );
    const model = resolveModel("ollama:llama3.2:1b", { env: { OLLAMA_HOST: server.origin } });
    expect(describeModel(model)).toEqual({
      provider: "ollama",
      id: "llama3.2:1b",
      spec: "ollama:llama3.2:1b",
    });

    const out = await collectStream(model);

    expect(out.errors).toEqual([]);
    expect(out.text).toBe("Checking the weather.");
    expect(out.toolCalls).toEqual([
      { toolCallId: "call_7ilyxwm4", toolName: "get_weather", input: WEATHER_ARGS },
    ]);
    expect(out.usage?.inputTokens.total).toBe(163);
    expect(out.usage?.outputTokens.total).toBe(21);
    expect(out.finishReason?.unified).toBe("tool-calls");

    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req.path).toBe("/v1/chat/completions");
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body.model).toBe("llama3.2:1b");
    expect(req.body.stream).toBe(true);
    expect(req.body.stream_options).toEqual({ include_usage: true });
    expect(req.body.messages[0]).toEqual({ role: "system", content: "Be brief." });
    expect(req.body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual([
      "get_weather",
    ]);
  });

  it("accepts OLLAMA_HOST without a scheme and with a trailing /v1", async () => {
    server = await startLoopback((_req, res) =>
      writeJson(res, 200, {
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1_741_290_958,
        model: "llama3.2",
        choices: [{ index: 0, message: { role: "assistant", content: "Hi." }, finish_reason: "stop" }],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
      }),
    );
    const host = `${server.origin.replace("http://", "")}/v1/`;
    const model = resolveModel("ollama:llama3.2", { env: { OLLAMA_HOST: host } });

    const result = await model.doGenerate({
      prompt: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    });

    expect(result.content).toEqual([{ type: "text", text: "Hi." }]);
    expect(result.usage.outputTokens.total).toBe(2);
    expect(server.requests.map((r) => r.path)).toEqual(["/v1/chat/completions"]);
  });
});
