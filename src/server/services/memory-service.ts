import { BadRequestError, NotFoundError } from "../../errors.js";
import { newId } from "../../ids.js";
import type {
  MemoryPage,
  MemoryPatch,
  MemoryQuery,
  MemoryRecord,
  SummaryRecord,
  UserMemoryStats,
} from "../../storage/index.js";
import type { Principal } from "../auth/index.js";
import { actingUserId, canSeeUserData } from "../auth/index.js";
import type { ServerContext } from "../context.js";

/**
 * Memory operations shared by every surface. A non-admin caller acts as their own user whatever
 * the request says, and another user's memory answers 404, as sessions do.
 */
export class MemoryService {
  constructor(private readonly ctx: ServerContext) {}

  list(principal: Principal, query: MemoryQuery): Promise<MemoryPage> {
    return this.ctx.store.memories.list({ ...query, userId: actingUserId(principal, query.userId) });
  }

  /** The memory if the caller may see it (and it belongs to `userId` when one is named); 404 otherwise. */
  async get(principal: Principal, memoryId: string, userId?: string): Promise<MemoryRecord> {
    const m = await this.ctx.store.memories.get(memoryId);
    const actingAs = actingUserId(principal, userId);
    if (!m || !canSeeUserData(principal, m.user_id) || (actingAs && m.user_id !== actingAs))
      throw new NotFoundError("Memory not found", "memory");
    return m;
  }

  async create(
    principal: Principal,
    body: { memory: string; user_id?: string; topics?: string[] },
  ): Promise<MemoryRecord> {
    const userId = actingUserId(principal, body.user_id);
    if (!userId) throw new BadRequestError("User ID is required");
    const now = Date.now();
    return this.ctx.store.memories.create({
      memory_id: newId(),
      user_id: userId,
      memory: body.memory,
      topics: body.topics ?? [],
      agent_id: null,
      team_id: null,
      input: null,
      created_at: now,
      updated_at: now,
    });
  }

  async update(
    principal: Principal,
    memoryId: string,
    patch: MemoryPatch,
    userId?: string,
  ): Promise<MemoryRecord> {
    await this.get(principal, memoryId, userId);
    const updated = await this.ctx.store.memories.update(memoryId, patch);
    if (!updated) throw new NotFoundError("Memory not found", "memory");
    return updated;
  }

  async delete(principal: Principal, memoryId: string, userId?: string): Promise<void> {
    await this.get(principal, memoryId, userId);
    if (!(await this.ctx.store.memories.delete(memoryId)))
      throw new NotFoundError("Memory not found", "memory");
  }

  /** Deletes those of the ids the caller may delete (their own, or the named user's); others are left alone. */
  deleteMany(principal: Principal, memoryIds: string[], userId?: string): Promise<number> {
    return this.ctx.store.memories.deleteMany(memoryIds, actingUserId(principal, userId));
  }

  /** Memory counts per user: every user's for an admin, the caller's own otherwise. */
  userStats(
    principal: Principal,
    query: { userId?: string; limit: number; page: number },
  ): Promise<{ stats: UserMemoryStats[]; total: number }> {
    return this.ctx.store.memories.userStats({ ...query, userId: actingUserId(principal, query.userId) });
  }

  topics(principal: Principal, userId?: string): Promise<string[]> {
    return this.ctx.store.memories.topics(actingUserId(principal, userId));
  }

  /** A user's memories, topics and session summaries at once. */
  async overview(
    principal: Principal,
    requestedUserId: string,
    limit: number,
  ): Promise<{ userId: string; memories: MemoryRecord[]; topics: string[]; summaries: SummaryRecord[] }> {
    const userId = actingUserId(principal, requestedUserId)!;
    const [page, topics, summaries] = await Promise.all([
      this.ctx.store.memories.list({ userId, limit, page: 1 }),
      this.ctx.store.memories.topics(userId),
      this.ctx.store.memories.summaries(userId, limit),
    ]);
    return { userId, memories: page.memories, topics, summaries };
  }
}
