import http from "node:http";

export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

export interface SseConnection {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Events as they arrive; resolves when the stream ends. */
  events: SseEvent[];
  comments: string[];
  done: Promise<void>;
  /** Resolves once `n` events have arrived. */
  waitFor(n: number): Promise<void>;
  close(): void;
}

/** A real-socket SSE client: parses `id:`, `event:`, `data:` lines and comments. */
export function sse(
  url: string,
  options: {
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    agent?: http.Agent | false;
  } = {},
): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? "GET", headers: options.headers, agent: options.agent },
      (res) => {
        const events: SseEvent[] = [];
        const comments: string[] = [];
        const waiters: { n: number; resolve: () => void }[] = [];
        let buffer = "";
        res.setEncoding("utf8");
        const done = new Promise<void>((r) => {
          res.on("end", r);
          res.on("close", r);
          res.on("error", () => r());
        });
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let at = 0;
          let i: number;
          while ((i = buffer.indexOf("\n\n", at)) >= 0) {
            const block = buffer.slice(at, i);
            at = i + 2;
            const ev: Partial<SseEvent> = {};
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) comments.push(line.slice(1).trim());
              else if (line.startsWith("id: ")) ev.id = line.slice(4);
              else if (line.startsWith("event: ")) ev.event = line.slice(7);
              else if (line.startsWith("data: ")) ev.data = JSON.parse(line.slice(6));
            }
            if (ev.event) events.push(ev as SseEvent);
          }
          buffer = buffer.slice(at);
          for (const w of [...waiters]) {
            if (events.length < w.n) continue;
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
        });
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          events,
          comments,
          done,
          waitFor: (n) =>
            events.length >= n ? Promise.resolve() : new Promise((r) => waiters.push({ n, resolve: r })),
          close: () => req.destroy(),
        });
      },
    );
    req.on("error", reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}
