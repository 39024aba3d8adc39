/**
 * A stand-in for OpenAI's Responses API, for benchmarks that put a real provider adapter in the
 * loop: every POST /v1/responses gets the same short answer at once, streamed in the documented
 * event format (the one test/model/provider-replay.test.ts replays). Its own process, so its CPU
 * is not the server's. Usage: node --import tsx bench/fake-openai.ts   (prints LISTENING <url>)
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const message = { id: "msg_bench", type: "message", role: "assistant" };
const response = (status: string, extra: object = {}) => ({
  id: "resp_bench",
  object: "response",
  created_at: 1_741_290_958,
  status,
  model: "gpt-4o-mini-2024-07-18",
  output: [],
  parallel_tool_calls: true,
  usage: null,
  ...extra,
});
const text = ["The quick ", "brown fox ", "jumps over ", "the lazy dog."];
const part = (t: string) => ({ type: "output_text", text: t, annotations: [] });
const at = { item_id: message.id, output_index: 0, content_index: 0 };
const events: [string, object][] = [
  ["response.created", { response: response("in_progress") }],
  ["response.in_progress", { response: response("in_progress") }],
  [
    "response.output_item.added",
    { output_index: 0, item: { ...message, status: "in_progress", content: [] } },
  ],
  ["response.content_part.added", { ...at, part: part("") }],
  ...text.map((delta): [string, object] => ["response.output_text.delta", { ...at, delta, logprobs: [] }]),
  ["response.output_text.done", { ...at, text: text.join(""), logprobs: [] }],
  ["response.content_part.done", { ...at, part: part(text.join("")) }],
  [
    "response.output_item.done",
    { output_index: 0, item: { ...message, status: "completed", content: [part(text.join(""))] } },
  ],
  [
    "response.completed",
    {
      response: response("completed", {
        usage: {
          input_tokens: 42,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: 10,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 52,
        },
      }),
    },
  ],
];
const body = events
  .map(
    ([type, data], i) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: i, ...data })}\n\n`,
  )
  .join("");

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.method !== "POST" || req.url !== "/v1/responses") {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
