import { createServer } from "node:http";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3FinishReason,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";

/** What the loopback server saw of one request. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

export type Handler = (req: RecordedRequest, res: ServerResponse, index: number) => void;

export interface Loopback {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records each request (body parsed as JSON) and hands it to `handler`. */
export async function startLoopback(handler: Handler): Promise<Loopback> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // keep the raw text
      }
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
      };
      requests.push(recorded);
      handler(recorded, res, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes a Server-Sent Events response: each entry is `[event name | null, data]`; data objects become JSON. */
export function writeSse(res: ServerResponse, events: Array<[string | null, unknown]>): void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  for (const [event, data] of events) {
    const payload = typeof data === "string" ? data : JSON.stringify(data);
    res.write(`${event ? `event: ${event}\n` : ""}data: ${payload}\n\n`);
  }
  res.end();
}

export function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** A prompt and one function tool, the shape our run loop sends. */
export function callOptions(extra: Partial<LanguageModelV3CallOptions> = {}): LanguageModelV3CallOptions {
  return {
    prompt: [
      { role: "system", content: "Be brief." },
      { role: "user", content: [{ type: "text", text: "What is the weather in Paris?" }] },
    ],
    tools: [
      {
        type: "function",
        name: "get_weather",
        description: "Current weather for a city",
        inputSchema: {
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
          additionalProperties: false,
        },
      },
    ],
    ...extra,
  };
}

export interface CollectedStream {
  parts: LanguageModelV3StreamPart[];
  text: string;
  toolCalls: Array<{ toolCallId: string; toolName: string; input: unknown }>;
  usage?: LanguageModelV3Usage;
  finishReason?: LanguageModelV3FinishReason;
  errors: unknown[];
}

/** Calls `doStream` and reads the stream to its end. */
export async function collectStream(
  model: LanguageModelV3,
  options = callOptions(),
): Promise<CollectedStream> {
  const { stream } = await model.doStream(options);
  const collected: CollectedStream = { parts: [], text: "", toolCalls: [], errors: [] };
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    collected.parts.push(value);
    if (value.type === "text-delta") collected.text += value.delta;
    else if (value.type === "tool-call")
      collected.toolCalls.push({
        toolCallId: value.toolCallId,
        toolName: value.toolName,
        input: JSON.parse(value.input),
      });
    else if (value.type === "finish") {
      collected.usage = value.usage;
      collected.finishReason = value.finishReason;
    } else if (value.type === "error") collected.errors.push(value.error);
  }
  return collected;
}
