import { z } from "zod";
import { defineRoute } from "../route.js";
import type { RouteDef } from "../route.js";
import { commaList, deleteMemoriesBody, isoTime, limitParam } from "../schemas/fields.js";
import { memoryItem, paginated } from "../serializers/root.js";
import type { MemoryService } from "../services/memory-service.js";

const tags = ["Memory"];
const idParams = z.object({ memory_id: z.string().min(1) });
const userQuery = z.object({ user_id: z.string().min(1).optional() });
const memoryText = z.string().trim().min(1).max(5000);
const topics = z.array(z.string().trim().min(1).max(100)).max(50);

/** `/memory` (a user's overview), `/memories` CRUD as Agno's, `/memory_topics`. */
export function memoryRoutes(memories: MemoryService): RouteDef[] {
  return [
    defineRoute({
      method: "GET",
      path: "/memory",
      summary: "A user's memories, topics and session summaries",
      tags,
      scope: { resource: "memories", action: "read" },
      query: z.object({ user_id: z.string().min(1), limit: limitParam(100, 1000) }),
      handler: async ({ query, principal }) => {
        const o = await memories.overview(principal, query.user_id, query.limit);
        return {
          user_id: o.userId,
          memories: o.memories.map(memoryItem),
          topics: o.topics,
          summaries: o.summaries.map((s) => ({
            session_id: s.session_id,
            summary: s.summary,
            topics: s.topics,
            updated_at: isoTime(s.updated_at),
          })),
        };
      },
    }),
    defineRoute({
      method: "GET",
      path: "/memories",
      summary: "List memories (filters: user, agent, team, topics, text), paged",
      tags,
      scope: { resource: "memories", action: "read" },
      query: z.object({
        user_id: z.string().min(1).optional(),
        agent_id: z.string().min(1).optional(),
        team_id: z.string().min(1).optional(),
        topics: z.string().optional().describe("Comma-separated; memories with any of them"),
        search_content: z.string().max(500).optional().describe("Case-insensitive text the memory contains"),
        limit: limitParam(20, 1000),
        page: z.coerce.number().int().min(1).default(1),
        sort_by: z.enum(["updated_at", "created_at"]).default("updated_at"),
        sort_order: z.enum(["asc", "desc"]).default("desc"),
      }),
      handler: async ({ query, principal }) => {
        const page = await memories.list(principal, {
          userId: query.user_id,
          agentId: query.agent_id,
          teamId: query.team_id,
          topics: commaList(query.topics),
          search: query.search_content || undefined,
          limit: query.limit,
          page: query.page,
          sortBy: query.sort_by,
          sortOrder: query.sort_order,
        });
        return paginated(page.memories.map(memoryItem), query.page, query.limit, page.total);
      },
    }),
    defineRoute({
      method: "POST",
      path: "/memories",
      summary: "Create a memory for a user",
      tags,
      scope: { resource: "memories", action: "write" },
      bodyKind: "json",
      body: z.object({
        memory: memoryText,
        user_id: z.string().min(1).optional(),
        topics: topics.optional(),
      }),
      handler: async ({ body, principal }) => memoryItem(await memories.create(principal, await body())),
    }),
    defineRoute({
      method: "GET",
      path: "/memories/:memory_id",
      summary: "One memory",
      tags,
      scope: { resource: "memories", action: "read" },
      params: idParams,
      query: userQuery,
      handler: async ({ params, query, principal }) =>
        memoryItem(await memories.get(principal, params.memory_id, query.user_id)),
    }),
    defineRoute({
      method: "PATCH",
      path: "/memories/:memory_id",
      summary: "Change a memory's text or topics",
      tags,
      scope: { resource: "memories", action: "write" },
      params: idParams,
      bodyKind: "json",
      body: z
        .object({
          memory: memoryText.optional(),
          topics: topics.optional(),
          user_id: z.string().min(1).optional(),
        })
        .refine((b) => b.memory !== undefined || b.topics !== undefined, {
          message: "Give memory or topics",
          path: ["memory"],
        }),
      handler: async ({ params, body, principal }) => {
        const { memory, topics: t, user_id } = await body();
        return memoryItem(await memories.update(principal, params.memory_id, { memory, topics: t }, user_id));
      },
    }),
    defineRoute({
      method: "DELETE",
      path: "/memories/:memory_id",
      summary: "Delete a memory",
      tags,
      scope: { resource: "memories", action: "delete" },
      params: idParams,
      query: userQuery,
      responses: { 204: z.null() },
      handler: async ({ params, query, principal, reply }) => {
        await memories.delete(principal, params.memory_id, query.user_id);
        reply.code(204);
        return undefined;
      },
    }),
    defineRoute({
      method: "DELETE",
      path: "/memories",
      summary: "Delete several memories (only those the caller may delete; unknown ids are ignored)",
      tags,
      scope: { resource: "memories", action: "delete" },
      bodyKind: "json",
      body: deleteMemoriesBody,
      responses: { 204: z.null() },
      handler: async ({ body, principal, reply }) => {
        const { memory_ids, user_id } = await body();
        await memories.deleteMany(principal, memory_ids, user_id);
        reply.code(204);
        return undefined;
      },
    }),
    defineRoute({
      method: "GET",
      path: "/memory_topics",
      summary: "The distinct topics of a user's memories",
      tags,
      scope: { resource: "memories", action: "read" },
      query: userQuery,
      handler: ({ query, principal }) => memories.topics(principal, query.user_id),
    }),
  ];
}
