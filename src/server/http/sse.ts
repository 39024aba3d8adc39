import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { FastifyReply } from "fastify";

export interface SseOptions {
  /** A `: keepalive` comment after this much silence. Default 15 s. */
  keepAliveMs?: number;
}

/**
 * A Server-Sent Events response. Frames are written in batches (one socket write per batch);
 * writing after the client left is a no-op, never an error.
 */
export class SseResponse {
  #res: ServerResponse;
  #timer: NodeJS.Timeout | undefined;
  #keepAliveMs: number;
  #closed = false;
  #left = new AbortController();
  readonly closedPromise: Promise<void>;

  constructor(reply: FastifyReply, options: SseOptions = {}) {
    this.#keepAliveMs = options.keepAliveMs ?? 15_000;
    reply.hijack();
    const res = (this.#res = reply.raw);
    // Headers set by hooks (CORS, request id) must survive the hijack.
    const inherited = reply.getHeaders() as OutgoingHttpHeaders;
    delete inherited["content-length"];
    res.writeHead(200, {
      ...inherited,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
      connection: "keep-alive",
    });
    res.flushHeaders();
    this.closedPromise = new Promise((resolve) => {
      const done = () => {
        this.#closed = true;
        clearTimeout(this.#timer);
        this.#left.abort();
        resolve();
      };
      res.once("close", done);
      res.once("error", done);
    });
    this.#arm();
  }

  /** Aborts when the client leaves (or the response ends): readers of run events stop with it. */
  get signal(): AbortSignal {
    return this.#left.signal;
  }

  get closed(): boolean {
    return this.#closed || this.#res.destroyed || this.#res.writableEnded;
  }

  /** Writes preformatted frames; false when the socket buffer is full (wait for `drained`). */
  write(frames: string): boolean {
    if (this.closed || frames.length === 0) return true;
    this.#arm();
    return this.#res.write(frames);
  }

  comment(text: string): void {
    this.write(`: ${text}\n\n`);
  }

  /** Resolves when the socket can take more, or the client left. */
  drained(): Promise<void> {
    if (this.closed || !this.#res.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#res.off("drain", done);
        this.#res.off("close", done);
        resolve();
      };
      this.#res.once("drain", done);
      this.#res.once("close", done);
    });
  }

  end(): void {
    clearTimeout(this.#timer);
    if (!this.closed) this.#res.end();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    this.#timer = setTimeout(() => this.comment("keepalive"), this.#keepAliveMs);
    this.#timer.unref();
  }
}

/** One SSE frame: `id:`, `event:` and the data as one line of JSON. */
export function sseFrame(name: string, data: unknown, id?: number): string {
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
