import type { RawData, WebSocket } from "ws";
import { z } from "zod";
import { NotFoundError, errorMessage } from "../../errors.js";
import type { RunEvent } from "../../run/index.js";
import { isFinished } from "../../run/index.js";
import type { Principal } from "../auth/index.js";
import { hasScope } from "../auth/index.js";
import type { ServerContext } from "../context.js";
import { agnoEvent, agnoFrame } from "../serializers/agno/index.js";
import type { RunService } from "../services/run-service.js";

const frame = z.looseObject({ action: z.string() });
const startFrame = z.object({
  workflow_id: z.string().min(1),
  message: z.string().min(1),
  session_id: z.string().max(256).nullish(),
  user_id: z.string().max(256).nullish(),
});
const reconnectFrame = z.object({
  run_id: z.string().min(1),
  workflow_id: z.string().min(1).nullish(),
  session_id: z.string().min(1).nullish(),
  last_event_index: z.number().int().nullish(),
});

/**
 * One client of Agno's `/workflows/ws` (reference 3.6): authenticate in-band, ping, start-workflow
 * (events as SSE-formatted text in each frame), reconnect (catch_up, missed events, subscribed, or
 * replay; events as plain JSON), continue-workflow. Nothing a client sends throws out of here.
 */
export class AgnoWorkflowSocket {
  #principal: Principal | undefined;
  #left = new AbortController();

  constructor(
    private readonly socket: WebSocket,
    private readonly ctx: ServerContext,
    private readonly runs: RunService,
  ) {
    socket.on("message", (data: RawData, isBinary: boolean) => void this.#onFrame(data, isBinary));
    socket.on("error", (err) => ctx.logger.debug({ err }, "websocket error"));
    socket.once("close", () => this.#left.abort());
    const requiresAuth = ctx.auth.mode !== "none";
    this.#send({ event: "connected", message: "Connected to workflow events", requires_auth: requiresAuth });
  }

  async #onFrame(data: RawData, isBinary: boolean): Promise<void> {
    let msg: z.infer<typeof frame>;
    try {
      msg = frame.parse(JSON.parse(isBinary ? "" : data.toString()));
    } catch {
      return this.#send({ event: "error", error: "Invalid message: expected JSON with an action" });
    }
    try {
      if (msg.action === "authenticate") return await this.#authenticate(msg.token);
      if (!(await this.#authorized())) {
        const what = this.ctx.auth.mode === "security_key" ? "bearer token" : "JWT";
        return this.#send({
          event: "auth_required",
          error: `Authentication required. Send authenticate action with valid ${what}.`,
        });
      }
      if (msg.action === "ping") return this.#send({ event: "pong" });
      if (msg.action === "start-workflow") return await this.#start(msg);
      if (msg.action === "reconnect") return await this.#reconnect(msg);
      if (msg.action === "continue-workflow") return await this.#continue(msg);
      this.#send({ event: "error", error: `Unknown action: ${msg.action}` });
    } catch (err) {
      this.#send({ event: "error", error: errorMessage(err) });
    }
  }

  async #authenticate(token: unknown): Promise<void> {
    try {
      const principal = await this.ctx.auth.authenticateToken(typeof token === "string" ? token : undefined);
      this.#principal = principal;
      const message = "Authentication successful. You can now send commands.";
      this.#send({ event: "authenticated", message });
      if (this.ctx.auth.mode === "jwt" && principal.userId)
        this.#send({ event: "authenticated", message, user_id: principal.userId });
    } catch (err) {
      const text = errorMessage(err);
      this.#send({
        event: "auth_error",
        error: text,
        error_type: /expired/i.test(text) ? "expired" : "invalid_token",
      });
    }
  }

  /** The caller: authenticated in-band, or anyone when the OS has no auth. */
  async #authorized(): Promise<Principal | undefined> {
    if (!this.#principal && this.ctx.auth.mode === "none")
      this.#principal = await this.ctx.auth.authenticateToken(undefined);
    return this.#principal;
  }

  async #start(msg: Record<string, unknown>): Promise<void> {
    const req = startFrame.safeParse(msg);
    if (!req.success) return this.#send({ event: "error", error: "workflow_id and message are required" });
    const { workflow_id, message, session_id, user_id } = req.data;
    const principal = this.#principal!;
    if (!hasScope(principal, { resource: "workflows", action: "run" }, workflow_id))
      return this.#send({ event: "error", error: "Insufficient permissions to run this workflow" });
    if (!this.ctx.components.find("workflow", workflow_id))
      return this.#send({ event: "error", error: `Workflow ${workflow_id} not found` });
    // Runs started here go on if the socket drops, so that a client can reconnect to them.
    const live = await this.runs.start(
      "workflow",
      workflow_id,
      { message, session_id: session_id || undefined, user_id: user_id || undefined, background: true },
      [],
      principal,
    );
    await live.started;
    // The starting socket gets each event as SSE text inside the frame, as Agno sends it.
    await this.#pipe(live.subscribe(-1, this.#left.signal), (ev) => agnoFrame(ev.event, agnoEvent(ev, true)));
  }

  async #reconnect(msg: Record<string, unknown>): Promise<void> {
    const req = reconnectFrame.safeParse(msg);
    if (!req.success) return this.#send({ event: "error", error: "run_id is required" });
    const { run_id } = req.data;
    let found;
    try {
      const workflowId = req.data.workflow_id ?? (await this.#workflowOf(run_id));
      found = await this.runs.find(
        "workflow",
        workflowId,
        run_id,
        this.#principal!,
        req.data.session_id ?? undefined,
      );
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      return this.#send({ event: "error", error: `Run ${run_id} not found` });
    }
    const { run, live } = found;
    const json = (ev: RunEvent) => JSON.stringify(agnoEvent(ev, true));
    if (live && !live.ended) {
      const last = req.data.last_event_index ?? -1;
      const count = live.buffer.nextIndex;
      const missed = Math.max(0, count - (last + 1));
      this.#send({
        event: "catch_up",
        run_id,
        status: "running",
        missed_events: missed,
        current_event_count: count,
        message: `Catching up on ${missed} missed events`,
      });
      let subscribed = false;
      const subscribe = () => {
        subscribed = true;
        this.#send({
          event: "subscribed",
          run_id,
          status: "running",
          current_event_count: count,
          message: "Subscribed to live events",
        });
      };
      if (!missed) subscribe();
      await this.#pipe(live.subscribe(last, this.#left.signal), json, (ev) => {
        if (!subscribed && ev.event_index >= count - 1) subscribe();
      });
      return;
    }
    // A finished run replays every event it has (last_event_index is ignored, as Agno does).
    const total = (await this.ctx.store.events.lastIndex(run_id)) + 1;
    this.#send({
      event: "replay",
      run_id,
      status: isFinished(run.status) ? run.status : "running",
      total_events: total,
      total_buffered: total,
      message: `Replaying ${total} events`,
    });
    await this.#pipe(this.runs.events(found, -1, this.#left.signal), json);
  }

  async #continue(msg: Record<string, unknown>): Promise<void> {
    const runId = typeof msg.run_id === "string" ? msg.run_id : "";
    const run = runId ? await this.ctx.store.runs.get(runId) : undefined;
    if (!run || run.component_kind !== "workflow")
      return this.#send({ event: "error", error: `Run ${runId} not found` });
    if (run.status !== "PAUSED")
      return this.#send({ event: "error", error: `Run is not paused (status=${run.status})` });
    this.#send({
      event: "error",
      error:
        "Continuing a paused workflow over the WebSocket is not supported; use POST /workflows/{id}/runs/{run_id}/continue",
    });
  }

  async #workflowOf(runId: string): Promise<string> {
    const run = this.ctx.runs.get(runId)?.snapshot() ?? (await this.ctx.store.runs.get(runId));
    if (!run?.workflow_id) throw new NotFoundError("Run not found", "run");
    return run.workflow_id;
  }

  /** Sends each event as one text frame until the stream ends or the socket closes. */
  async #pipe(
    batches: AsyncGenerator<RunEvent[]>,
    encode: (ev: RunEvent) => string,
    sent?: (ev: RunEvent) => void,
  ): Promise<void> {
    for await (const batch of batches) {
      if (!this.#open) break;
      for (const ev of batch) {
        this.socket.send(encode(ev));
        sent?.(ev);
      }
    }
  }

  get #open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  #send(obj: Record<string, unknown>): void {
    if (this.#open) this.socket.send(JSON.stringify(obj));
  }
}
