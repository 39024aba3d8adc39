import { sql } from "kysely";
import type { Kysely, Selectable, Transaction } from "kysely";
import type {
  MemoryPage,
  MemoryPatch,
  MemoryQuery,
  MemoryRecord,
  MemoryStore,
  SummaryRecord,
  UserMemoryStats,
} from "../memory-store.js";
import type { SessionSummary } from "../store.js";
import { fromJson, toJson } from "./dialect.js";
import type { Database, UserMemoriesTable } from "./schema.js";
import type { WriteBatcher } from "./write-batcher.js";

export class SqlMemoryStore implements MemoryStore {
  constructor(
    private readonly db: () => Kysely<Database>,
    private readonly writes: WriteBatcher,
  ) {}

  async create(memory: MemoryRecord): Promise<MemoryRecord> {
    const topics = normalizeTopics(memory.topics);
    await this.writes.run(async (trx) => {
      await trx
        .insertInto("user_memories")
        .values({ ...memory, topics: toJson(topics)! })
        .execute();
      await writeTopics(trx, memory.memory_id, memory.user_id, topics);
    });
    return { ...memory, topics };
  }

  async get(memoryId: string): Promise<MemoryRecord | undefined> {
    const row = await this.db()
      .selectFrom("user_memories")
      .selectAll()
      .where("memory_id", "=", memoryId)
      .executeTakeFirst();
    return row && toMemory(row);
  }

  async update(memoryId: string, patch: MemoryPatch): Promise<MemoryRecord | undefined> {
    const updated = await this.writes.run(async (trx) => {
      const row = await trx
        .selectFrom("user_memories")
        .select("user_id")
        .where("memory_id", "=", memoryId)
        .executeTakeFirst();
      if (!row) return false;
      const values: Record<string, unknown> = { updated_at: Date.now() };
      if (patch.memory !== undefined) values.memory = patch.memory;
      if (patch.topics !== undefined) {
        const topics = normalizeTopics(patch.topics);
        values.topics = toJson(topics);
        await trx.deleteFrom("user_memory_topics").where("memory_id", "=", memoryId).execute();
        await writeTopics(trx, memoryId, row.user_id, topics);
      }
      await trx.updateTable("user_memories").set(values).where("memory_id", "=", memoryId).execute();
      return true;
    });
    return updated ? this.get(memoryId) : undefined;
  }

  async delete(memoryId: string): Promise<boolean> {
    return (await this.deleteMany([memoryId])) > 0;
  }

  async deleteMany(memoryIds: string[], userId?: string): Promise<number> {
    if (memoryIds.length === 0) return 0;
    return this.writes.run(async (trx) => {
      let n = 0;
      for (let i = 0; i < memoryIds.length; i += 500) {
        const ids = memoryIds.slice(i, i + 500);
        let doomed = trx.selectFrom("user_memories").select("memory_id").where("memory_id", "in", ids);
        if (userId !== undefined) doomed = doomed.where("user_id", "=", userId);
        const found = (await doomed.execute()).map((r) => r.memory_id);
        if (found.length === 0) continue;
        await trx.deleteFrom("user_memory_topics").where("memory_id", "in", found).execute();
        const res = await trx.deleteFrom("user_memories").where("memory_id", "in", found).executeTakeFirst();
        n += Number(res.numDeletedRows);
      }
      return n;
    });
  }

  async list(q: MemoryQuery): Promise<MemoryPage> {
    let query = this.db().selectFrom("user_memories");
    if (q.userId !== undefined) query = query.where("user_id", "=", q.userId);
    if (q.agentId !== undefined) query = query.where("agent_id", "=", q.agentId);
    if (q.teamId !== undefined) query = query.where("team_id", "=", q.teamId);
    if (q.topics?.length) {
      const topics = normalizeTopics(q.topics);
      query = query.where("memory_id", "in", (eb) =>
        eb.selectFrom("user_memory_topics").select("memory_id").where("topic", "in", topics),
      );
    }
    if (q.search) {
      const pattern = `%${q.search.toLowerCase().replace(/[%_\\]/g, "\\$&")}%`;
      query = query.where(sql<boolean>`lower(memory) like ${pattern} escape '\\'`);
    }
    const sortBy = q.sortBy ?? "updated_at";
    const order = q.sortOrder ?? "desc";
    const [rows, total] = await Promise.all([
      query
        .selectAll()
        .orderBy(sortBy, order)
        .orderBy("memory_id", order)
        .limit(q.limit)
        .offset((q.page - 1) * q.limit)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { memories: rows.map(toMemory), total: Number(total.n) };
  }

  async topics(userId?: string): Promise<string[]> {
    let query = this.db().selectFrom("user_memory_topics").select("topic").distinct();
    if (userId !== undefined) query = query.where("user_id", "=", userId);
    return (await query.orderBy("topic").execute()).map((r) => r.topic);
  }

  async userStats(q: {
    userId?: string;
    limit: number;
    page: number;
  }): Promise<{ stats: UserMemoryStats[]; total: number }> {
    let query = this.db().selectFrom("user_memories");
    if (q.userId !== undefined) query = query.where("user_id", "=", q.userId);
    const [rows, total] = await Promise.all([
      query
        .select((eb) => [
          "user_id",
          eb.fn.countAll<number | string>().as("n"),
          eb.fn.max("updated_at").as("last"),
        ])
        .groupBy("user_id")
        .orderBy("last", "desc")
        .orderBy("user_id", "desc")
        .limit(q.limit)
        .offset((q.page - 1) * q.limit)
        .execute(),
      query
        .select((eb) => eb.fn.count<number | string>("user_id").distinct().as("n"))
        .executeTakeFirstOrThrow(),
    ]);
    return {
      stats: rows.map((r) => ({
        user_id: r.user_id,
        total_memories: Number(r.n),
        last_memory_updated_at: Number(r.last),
      })),
      total: Number(total.n),
    };
  }

  async summaries(userId: string, limit: number): Promise<SummaryRecord[]> {
    const rows = await this.db()
      .selectFrom("sessions")
      .select(["session_id", "summary", "updated_at"])
      .where("user_id", "=", userId)
      .where("summary", "is not", null)
      .orderBy("updated_at", "desc")
      .orderBy("session_id", "desc")
      .limit(limit)
      .execute();
    const out = rows.flatMap((r) => {
      const s = fromJson<SessionSummary>(r.summary);
      return s?.summary
        ? [
            {
              session_id: r.session_id,
              summary: s.summary,
              topics: s.topics ?? [],
              updated_at: s.updated_at ?? Number(r.updated_at),
            },
          ]
        : [];
    });
    return out.sort((a, b) => b.updated_at - a.updated_at);
  }
}

/** Trimmed, lower-cased, distinct, non-empty. */
function normalizeTopics(topics: readonly string[]): string[] {
  return [...new Set(topics.map((t) => t.trim().toLowerCase()).filter(Boolean))];
}

async function writeTopics(trx: Transaction<Database>, memoryId: string, userId: string, topics: string[]) {
  if (topics.length)
    await trx
      .insertInto("user_memory_topics")
      .values(topics.map((topic) => ({ memory_id: memoryId, user_id: userId, topic })))
      .execute();
}

function toMemory(row: Selectable<UserMemoriesTable>): MemoryRecord {
  return {
    memory_id: row.memory_id,
    user_id: row.user_id,
    memory: row.memory,
    topics: fromJson<string[]>(row.topics) ?? [],
    agent_id: row.agent_id,
    team_id: row.team_id,
    input: row.input,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}
