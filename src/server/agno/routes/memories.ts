import { performance } from "node:perf_hooks";
import { z } from "zod";
import type { ServerContext } from "../../context.js";
import { defineRoute } from "../../route.js";
import type { RouteDef } from "../../route.js";
import { isoFromMs, paginatedResponse, userMemory } from "../../serializers/agno/index.js";
import type { MemoryService } from "../../services/memory-service.js";
import { commaList, deleteMemoriesBody } from "../../schemas/fields.js";
import { checkDatabase, dbQuery } from "../databases.js";

const tags = ["Memory"];
const idParams = z.object({ memory_id: z.string().min(1) });
const userQuery = z.object({ user_id: z.string().min(1).optional(), ...dbQuery });
const memoryText = z.string({ error: "Field required" }).trim().min(1).max(5000);
const topics = z.array(z.string().trim().min(1).max(100)).max(50);
/** A memory as created and as replaced (PATCH sends it whole, as Agno's does). */
const memoryBody = z.object({
  memory: memoryText,
  user_id: z.string().min(1).optional(),
  topics: topics.optional(),
});
const paging = {
  limit: z.coerce.number().int().min(1).max(1000).default(20),
  page: z.coerce.number().int().min(1).default(1),
};

/** `/memories` CRUD, `/memory_topics` and `/user_memory_stats` in Agno's shapes. */
export function agnoMemoryRoutes(ctx: ServerContext, memories: MemoryService): RouteDef[] {
  const read = { resource: "memories", action: "read" } as const;
  const write = { resource: "memories", action: "write" } as const;
  const del = { resource: "memories", action: "delete" } as const;
  return [
    defineRoute({
      method: "GET",
      path: "/memories",
      summary: "Memories, paginated (filters: user, agent, team, topics, text)",
      tags,
      scope: read,
      query: z.object({
        user_id: z.string().min(1).optional(),
        agent_id: z.string().min(1).optional(),
        team_id: z.string().min(1).optional(),
        topics: z.string().optional().describe("Comma-separated; memories with any of them"),
        search_content: z.string().max(500).optional(),
        ...paging,
        sort_by: z.string().default("updated_at"),
        sort_order: z.enum(["asc", "desc"]).default("desc"),
        ...dbQuery,
      }),
      handler: async ({ query, principal }) => {
        checkDatabase(ctx, query);
        const began = performance.now();
        const page = await memories.list(principal, {
          userId: query.user_id,
          agentId: query.agent_id,
          teamId: query.team_id,
          topics: commaList(query.topics),
          search: query.search_content || undefined,
          limit: query.limit,
          page: query.page,
          // Other columns are ignored, as Agno does.
          sortBy: query.sort_by === "created_at" ? "created_at" : "updated_at",
          sortOrder: query.sort_order,
        });
        return paginatedResponse(
          page.memories.map(userMemory),
          query.page,
          query.limit,
          page.total,
          performance.now() - began,
        );
      },
    }),
    defineRoute({
      method: "GET",
      path: "/memories/:memory_id",
      summary: "One memory",
      tags,
      scope: read,
      params: idParams,
      query: userQuery,
      handler: async ({ params, query, principal }) => {
        checkDatabase(ctx, query);
        return userMemory(await memories.get(principal, params.memory_id, query.user_id));
      },
    }),
    defineRoute({
      method: "POST",
      path: "/memories",
      summary: "Create a memory (400 User ID is required without a user)",
      tags,
      scope: write,
      query: z.object({ ...dbQuery }),
      bodyKind: "json",
      body: memoryBody,
      handler: async ({ query, body, principal }) => {
        checkDatabase(ctx, query);
        return userMemory(await memories.create(principal, await body()));
      },
    }),
    defineRoute({
      method: "PATCH",
      path: "/memories/:memory_id",
      summary: "Replace a memory's text (and topics)",
      tags,
      scope: write,
      params: idParams,
      query: z.object({ ...dbQuery }),
      bodyKind: "json",
      body: memoryBody,
      handler: async ({ params, query, body, principal }) => {
        checkDatabase(ctx, query);
        const { memory, topics: t, user_id } = await body();
        return userMemory(await memories.update(principal, params.memory_id, { memory, topics: t }, user_id));
      },
    }),
    defineRoute({
      method: "DELETE",
      path: "/memories/:memory_id",
      summary: "Delete a memory (204)",
      tags,
      scope: del,
      params: idParams,
      query: userQuery,
      responses: { 204: z.null() },
      handler: async ({ params, query, principal, reply }) => {
        checkDatabase(ctx, query);
        await memories.delete(principal, params.memory_id, query.user_id);
        reply.code(204);
        return undefined;
      },
    }),
    defineRoute({
      method: "DELETE",
      path: "/memories",
      summary: "Delete several memories (204; unknown ids are ignored)",
      tags,
      scope: del,
      query: z.object({ ...dbQuery }),
      bodyKind: "json",
      body: deleteMemoriesBody,
      responses: { 204: z.null() },
      handler: async ({ query, body, principal, reply }) => {
        checkDatabase(ctx, query);
        const { memory_ids, user_id } = await body();
        await memories.deleteMany(principal, memory_ids, user_id);
        reply.code(204);
        return undefined;
      },
    }),
    defineRoute({
      method: "GET",
      path: "/memory_topics",
      summary: "The distinct topics of the memories (of a user when given)",
      tags,
      scope: read,
      query: userQuery,
      handler: ({ query, principal }) => {
        checkDatabase(ctx, query);
        return memories.topics(principal, query.user_id);
      },
    }),
    defineRoute({
      method: "GET",
      path: "/user_memory_stats",
      summary: "Memory counts per user, paginated",
      tags,
      scope: read,
      query: z.object({ user_id: z.string().min(1).optional(), ...paging, ...dbQuery }),
      handler: async ({ query, principal }) => {
        checkDatabase(ctx, query);
        const began = performance.now();
        const { stats, total } = await memories.userStats(principal, {
          userId: query.user_id,
          limit: query.limit,
          page: query.page,
        });
        const data = stats.map((s) => ({
          user_id: s.user_id,
          total_memories: s.total_memories,
          last_memory_updated_at: isoFromMs(s.last_memory_updated_at),
        }));
        return paginatedResponse(data, query.page, query.limit, total, performance.now() - began);
      },
    }),
  ];
}
