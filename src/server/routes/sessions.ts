import { z } from "zod";
import type { ServerContext } from "../context.js";
import { defineRoute } from "../route.js";
import type { RouteDef } from "../route.js";
import { jsonObject, limitParam } from "../schemas/fields.js";
import { sessionDetail, sessionListItem } from "../serializers/root.js";
import type { SessionService } from "../services/session-service.js";

const idParams = z.object({ session_id: z.string().min(1) });

/** `/sessions`: list (cursor-paged, newest first), detail, rename and state, delete. */
export function sessionRoutes(ctx: ServerContext, sessions: SessionService): RouteDef[] {
  const detail = async (sessionId: string, principal: Parameters<SessionService["get"]>[0]) => {
    const s = await sessions.get(principal, sessionId);
    return sessionDetail(s, await sessions.runs(sessionId), s.summary?.topics ?? []);
  };
  return [
    defineRoute({
      method: "GET",
      path: "/sessions",
      summary: "List sessions, newest first",
      tags: ["Sessions"],
      scope: { resource: "sessions", action: "read" },
      query: z.object({
        user_id: z.string().min(1).optional(),
        agent_id: z.string().min(1).optional(),
        team_id: z.string().min(1).optional(),
        workflow_id: z.string().min(1).optional(),
        limit: limitParam(100, 1000),
        cursor: z.string().min(1).optional(),
      }),
      handler: async ({ query, principal }) => {
        const page = await sessions.list(principal, {
          userId: query.user_id,
          agentId: query.agent_id,
          teamId: query.team_id,
          workflowId: query.workflow_id,
          limit: query.limit,
          cursor: query.cursor,
        });
        return { sessions: page.sessions.map(sessionListItem), next_cursor: page.nextCursor };
      },
    }),
    defineRoute({
      method: "GET",
      path: "/sessions/:session_id",
      summary: "A session with its messages, memory and runs",
      tags: ["Sessions"],
      scope: { resource: "sessions", action: "read" },
      params: idParams,
      handler: ({ params, principal }) => detail(params.session_id, principal),
    }),
    defineRoute({
      method: "PATCH",
      path: "/sessions/:session_id",
      summary: "Rename a session or replace its state or metadata",
      tags: ["Sessions"],
      scope: { resource: "sessions", action: "write" },
      params: idParams,
      bodyKind: "json",
      body: z
        .object({
          session_name: z.string().max(500).nullable().optional(),
          session_state: jsonObject.nullable().optional(),
          metadata: jsonObject.nullable().optional(),
        })
        .strict(),
      handler: async ({ params, body, principal }) => {
        const patch = await body();
        await sessions.update(principal, params.session_id, patch);
        return detail(params.session_id, principal);
      },
    }),
    defineRoute({
      method: "DELETE",
      path: "/sessions/:session_id",
      summary: "Delete a session with its runs and summary",
      tags: ["Sessions"],
      scope: { resource: "sessions", action: "delete" },
      params: idParams,
      responses: { 204: z.null() },
      handler: async ({ params, principal, reply }) => {
        await sessions.delete(principal, params.session_id);
        reply.code(204);
        return undefined;
      },
    }),
  ];
}
