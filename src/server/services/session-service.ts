import { NotFoundError } from "../../errors.js";
import type { RunOutput } from "../../run/index.js";
import { isFinished } from "../../run/index.js";
import type {
  SessionOffsetPage,
  SessionOffsetQuery,
  SessionPage,
  SessionPatch,
  SessionQuery,
  SessionRecord,
} from "../../storage/index.js";
import type { Principal } from "../auth/index.js";
import { actingUserId, canSeeUserData, visibleRecord } from "../auth/index.js";
import type { ServerContext } from "../context.js";

/** Session operations shared by every surface, with the caller's view of other users' data applied. */
export class SessionService {
  constructor(private readonly ctx: ServerContext) {}

  list(principal: Principal, query: SessionQuery): Promise<SessionPage> {
    return this.ctx.store.sessions.list({ ...query, userId: actingUserId(principal, query.userId) });
  }

  /** A numbered page of the sessions the caller may see, with the total count. */
  page(principal: Principal, query: SessionOffsetQuery): Promise<SessionOffsetPage> {
    return this.ctx.store.sessions.page({ ...query, userId: actingUserId(principal, query.userId) });
  }

  /**
   * The session's top-level runs, oldest first, live ones included with their status and content so
   * far (a run that has no stored row yet too). 404 when the caller can see neither session nor live run.
   */
  async runsWithLive(principal: Principal, sessionId: string): Promise<RunOutput[]> {
    const session = await this.ctx.store.sessions.get(sessionId);
    const live = this.ctx.runs.forSession(sessionId).filter((r) => canSeeUserData(principal, r.userId));
    if (session) visibleRecord(principal, session, () => new NotFoundError("Session not found", "session"));
    else if (!live.length) throw new NotFoundError("Session not found", "session");
    const stored = session ? await this.runs(sessionId) : [];
    const byId = new Map(stored.map((r) => [r.run_id, r]));
    for (const l of live) {
      const row = byId.get(l.runId);
      if (!row) byId.set(l.runId, l.snapshot());
      else if (!isFinished(row.status) && !l.ended)
        byId.set(l.runId, { ...row, status: l.status, content: l.contentSoFar || row.content });
    }
    const local = new Set(live.map((l) => l.runId));
    for (const [id, run] of byId) {
      // Running in another process (replicas over Redis): its content so far is in the event store.
      if (!isFinished(run.status) && !local.has(id) && !run.content)
        byId.set(id, { ...run, content: await this.#storedContent(id) });
    }
    return [...byId.values()].sort((a, b) => a.created_at - b.created_at);
  }

  /** The text a run has streamed so far, from its stored content deltas. */
  async #storedContent(runId: string): Promise<string> {
    let text = "";
    for (const ev of await this.ctx.store.events.list(runId, -1)) {
      if (ev.run_id !== runId || (ev.event !== "RunContent" && ev.event !== "TeamRunContent")) continue;
      const content = (ev as { content?: unknown }).content;
      if (typeof content === "string") text += content;
    }
    return text;
  }

  /** The session if the caller may see it; 404 otherwise (whether absent or someone else's). */
  async get(principal: Principal, sessionId: string): Promise<SessionRecord> {
    return visibleRecord(
      principal,
      await this.ctx.store.sessions.get(sessionId),
      () => new NotFoundError("Session not found", "session"),
    );
  }

  /** The session's top-level runs, oldest first. */
  runs(sessionId: string): Promise<RunOutput[]> {
    return this.ctx.store.runs.list({ sessionId, topLevelOnly: true });
  }

  async update(principal: Principal, sessionId: string, patch: SessionPatch): Promise<SessionRecord> {
    await this.get(principal, sessionId);
    const updated = await this.ctx.store.sessions.update(sessionId, patch);
    if (!updated) throw new NotFoundError("Session not found", "session");
    return updated;
  }

  /** Cancels the session's live runs, waits for them to end (briefly), then deletes it with its runs. */
  async delete(principal: Principal, sessionId: string): Promise<void> {
    await this.get(principal, sessionId);
    const live = this.ctx.runs.forSession(sessionId);
    for (const r of live) r.cancel("The session was deleted");
    await Promise.race([
      Promise.allSettled(live.map((r) => r.output)),
      new Promise((r) => setTimeout(r, 2000)),
    ]);
    if (!(await this.ctx.store.sessions.delete(sessionId)))
      throw new NotFoundError("Session not found", "session");
  }
}
