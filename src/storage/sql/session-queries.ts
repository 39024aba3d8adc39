import { sql } from "kysely";
import type { Kysely } from "kysely";
import type {
  SessionOffsetPage,
  SessionOffsetQuery,
  SessionPage,
  SessionPatch,
  SessionQuery,
  SessionRecord,
  SessionStore,
} from "../store.js";
import { toJson } from "./dialect.js";
import { keysetPage } from "./keyset.js";
import { toSession } from "./rows.js";
import type { Database } from "./schema.js";
import type { WriteBatcher } from "./write-batcher.js";

export class SqlSessionStore implements SessionStore {
  constructor(
    private readonly db: () => Kysely<Database>,
    private readonly writes: WriteBatcher,
  ) {}

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const row = await this.db()
      .selectFrom("sessions")
      .selectAll()
      .where("session_id", "=", sessionId)
      .executeTakeFirst();
    return row && toSession(row);
  }

  async list(q: SessionQuery): Promise<SessionPage> {
    const { items, nextCursor } = await keysetPage(
      this.#filtered(q).selectAll(),
      { time: "created_at", id: "session_id" },
      q,
      toSession,
      (s) => [s.created_at, s.session_id],
    );
    return { sessions: items, nextCursor };
  }

  async page(q: SessionOffsetQuery): Promise<SessionOffsetPage> {
    const order = q.sortOrder ?? "desc";
    const [rows, count] = await Promise.all([
      this.#filtered(q)
        .selectAll()
        // Unnamed sessions sort as "" on both dialects (SQLite and PostgreSQL place NULLs differently).
        .orderBy(
          q.sortBy === "session_name" ? sql`coalesce(session_name, '')` : (q.sortBy ?? "created_at"),
          order,
        )
        .orderBy("session_id", order)
        .limit(q.limit)
        .offset(q.offset)
        .execute(),
      this.#filtered(q)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as("n"))
        .executeTakeFirst(),
    ]);
    return { sessions: rows.map(toSession), total: Number(count?.n ?? 0) };
  }

  /** The sessions matching the query's filters (not its paging). */
  #filtered(q: Omit<SessionQuery, "cursor" | "limit">) {
    let query = this.db().selectFrom("sessions");
    if (q.userId !== undefined) query = query.where("user_id", "=", q.userId);
    if (q.agentId !== undefined) query = query.where("agent_id", "=", q.agentId);
    if (q.teamId !== undefined) query = query.where("team_id", "=", q.teamId);
    if (q.workflowId !== undefined) query = query.where("workflow_id", "=", q.workflowId);
    if (q.componentId !== undefined) query = query.where("component_id", "=", q.componentId);
    if (q.type !== undefined) query = query.where("session_type", "=", q.type);
    if (q.nameContains) {
      // The name is matched literally: % and _ in it are escaped, with an explicit escape character.
      const pattern = `%${q.nameContains.replace(/[%_\\]/g, "\\$&")}%`;
      query = query.where(sql<boolean>`session_name like ${pattern} escape '\\'`);
    }
    return query;
  }

  async update(sessionId: string, patch: SessionPatch): Promise<SessionRecord | undefined> {
    const values: Record<string, unknown> = { updated_at: Date.now() };
    if (patch.session_name !== undefined) values.session_name = patch.session_name;
    if (patch.session_state !== undefined) values.session_state = toJson(patch.session_state);
    if (patch.metadata !== undefined) values.metadata = toJson(patch.metadata);
    if (patch.summary !== undefined) values.summary = toJson(patch.summary);
    const res = await this.writes.run((trx) =>
      trx.updateTable("sessions").set(values).where("session_id", "=", sessionId).executeTakeFirst(),
    );
    if (Number(res.numUpdatedRows) === 0) return undefined;
    return this.get(sessionId);
  }

  async delete(sessionId: string): Promise<boolean> {
    return this.writes.run(async (trx) => {
      await trx
        .deleteFrom("run_events")
        .where("run_id", "in", trx.selectFrom("runs").select("run_id").where("session_id", "=", sessionId))
        .execute();
      await trx.deleteFrom("runs").where("session_id", "=", sessionId).execute();
      const res = await trx.deleteFrom("sessions").where("session_id", "=", sessionId).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }
}
