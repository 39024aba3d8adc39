import type { WebSocket } from "ws";
import type { RawData } from "ws";
import type { Logger } from "pino";
import { z } from "zod";
import { AgentOSError, ValidationError } from "../../errors.js";
import type { RunEvent } from "../../run/index.js";
import type { LiveRun } from "../../runtime/index.js";

/** What a run socket needs from the server: start a run, cancel one, and the setting for leaving clients. */
export interface RunSocketHost {
  /** Validates and starts a run (errors are typed: 404, 409, 422, 503). */
  start(request: unknown): Promise<{ live: LiveRun; onDisconnect: "continue" | "cancel" }>;
  /** Cancels a run the caller may see; resolves with its status. */
  cancel(runId: string): Promise<{ run_id: string; status: string }>;
  /** Cancels a run whose client left. */
  abandon(runId: string): Promise<unknown>;
  logger: Logger;
  keepAliveMs: number;
}

/** Above this many unsent bytes, the socket waits for its peer before sending more. */
const HIGH_WATER = 1024 * 1024;
/** Run requests a socket may have waiting behind the one running. */
const MAX_QUEUED = 16;

const controlFrame = z.looseObject({ action: z.string() });
const cancelFrame = z.object({ action: z.literal("cancel"), run_id: z.string().min(1) });

/**
 * One client's WebSocket to a component (contract section 5): each text frame asks for a run
 * (`{"message", "session_id"?, "user_id"?}`) or acts (`{"action":"cancel","run_id"}`, `{"action":"ping"}`).
 * Run events go out one JSON text frame each, runs one after another. A bad frame gets an error frame;
 * nothing a client sends or does (leaving mid-run included) throws out of here.
 */
export class RunSocket {
  #queue: unknown[] = [];
  #draining = false;
  #current: { live: LiveRun; onDisconnect: "continue" | "cancel" } | undefined;
  #left = new AbortController();
  #alive = true;
  #pinger: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    private readonly host: RunSocketHost,
  ) {
    socket.on("message", (data, isBinary) => this.#onFrame(data, isBinary));
    socket.on("pong", () => (this.#alive = true));
    socket.on("error", (err) => host.logger.debug({ err }, "websocket error"));
    socket.once("close", () => this.#onClose());
    // Ping/pong keep-alive: a peer that misses a whole interval is dropped.
    this.#pinger = setInterval(() => {
      if (!this.#alive) return socket.terminate();
      this.#alive = false;
      if (this.#open) socket.ping();
    }, host.keepAliveMs);
    this.#pinger.unref();
  }

  get #open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Sends a control frame (lowercase `event`, unlike run events). */
  send(frame: Record<string, unknown>): void {
    if (this.#open) this.socket.send(JSON.stringify(frame));
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    if (isBinary) return this.#error("Frames must be JSON text");
    let frame: unknown;
    try {
      frame = JSON.parse(rawText(data));
    } catch {
      return this.#error("Invalid JSON");
    }
    if (!frame || typeof frame !== "object" || Array.isArray(frame))
      return this.#error('Expected a JSON object: {"message": ...} or {"action": ...}');
    if ("action" in frame) return void this.#onAction(frame);
    if (this.#queue.length >= MAX_QUEUED)
      return this.#error(`Too many runs waiting on this socket (at most ${MAX_QUEUED})`, 429);
    this.#queue.push(frame);
    void this.#drain();
  }

  async #onAction(frame: object): Promise<void> {
    const action = controlFrame.safeParse(frame);
    if (!action.success) return this.#error('"action" must be a string');
    if (action.data.action === "ping") return this.send({ event: "pong" });
    if (action.data.action !== "cancel") return this.#error(`Unknown action '${action.data.action}'`);
    const cancel = cancelFrame.safeParse(frame);
    if (!cancel.success) return this.#error('A cancel needs "run_id"', 422);
    try {
      this.send({ event: "cancel", ...(await this.host.cancel(cancel.data.run_id)) });
    } catch (err) {
      this.#failure(err);
    }
  }

  /** Runs the queued requests one after another. */
  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#queue.length && !this.#left.signal.aborted) await this.#run(this.#queue.shift());
    } finally {
      this.#draining = false;
    }
  }

  async #run(request: unknown): Promise<void> {
    try {
      this.#current = await this.host.start(request);
      const { live } = this.#current;
      await live.started;
      for await (const batch of live.subscribe(-1, this.#left.signal)) await this.#sendEvents(batch);
    } catch (err) {
      this.#failure(err);
    } finally {
      this.#current = undefined;
    }
  }

  async #sendEvents(events: RunEvent[]): Promise<void> {
    if (!this.#open) return;
    for (let i = 0; i < events.length - 1; i++) this.socket.send(JSON.stringify(events[i]));
    const last = JSON.stringify(events[events.length - 1]);
    if (this.socket.bufferedAmount < HIGH_WATER) return this.socket.send(last);
    // A slow reader: wait until what is queued has gone out (or the socket closed) before reading on.
    await new Promise<void>((resolve) => this.socket.send(last, () => resolve()));
  }

  #onClose(): void {
    clearInterval(this.#pinger);
    this.#left.abort();
    this.#queue = [];
    const current = this.#current;
    if (current?.onDisconnect === "cancel" && !current.live.ended)
      void this.host.abandon(current.live.runId).catch(() => {});
  }

  #failure(err: unknown): void {
    if (err instanceof ValidationError) return this.#error(err.issues, 422);
    if (err instanceof AgentOSError) return this.#error(err.message, err.status);
    this.host.logger.error({ err }, "websocket run failed");
    this.#error("Internal Server Error", 500);
  }

  #error(detail: unknown, status = 400): void {
    this.send({
      event: "error",
      status,
      detail,
      error: typeof detail === "string" ? detail : "Invalid request",
    });
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}

/** A close reason fits in 123 bytes of UTF-8. */
export function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}
