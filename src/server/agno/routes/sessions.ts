import { performance } from "node:perf_hooks";
import { z } from "zod";
import { BadRequestError, NotFoundError } from "../../../errors.js";
import type { ComponentKind, RunOutput } from "../../../run/index.js";
import type { SessionRecord, SessionSortColumn } from "../../../storage/index.js";
import type { Principal } from "../../auth/index.js";
import type { ServerContext } from "../../context.js";
import { defineRoute } from "../../route.js";
import type { RouteDef } from "../../route.js";
import { jsonObject } from "../../schemas/fields.js";
import {
  displayName,
  paginatedResponse,
  runSchema,
  sessionDetail,
  sessionSchema,
} from "../../serializers/agno/index.js";
import type { SessionService } from "../../services/session-service.js";
import { checkDatabase, dbQuery } from "../databases.js";

const tags = ["Sessions"];
const sessionType = z.enum(["agent", "team", "workflow"]);
const idParams = z.object({ session_id: z.string().min(1) });
const SORTABLE = new Set<string>(["created_at", "updated_at", "session_name"]);

/** `/sessions` in Agno's shapes: paginated list, detail, runs (live ones included), rename, delete, bulk delete. */
export function agnoSessionRoutes(ctx: ServerContext, sessions: SessionService): RouteDef[] {
  const read = { resource: "sessions", action: "read" } as const;
  /** The session if visible and of the asked type; 404 otherwise. */
  const visible = async (principal: Principal, id: string, type?: ComponentKind, userId?: string) => {
    const s = await sessions.get(principal, id);
    if ((type && s.session_type !== type) || (userId && s.user_id !== userId))
      throw new NotFoundError("Session not found", "session");
    return s;
  };
  const detail = async (s: SessionRecord) => {
    const runs = await sessions.runs(s.session_id);
    const name = ctx.components.find(s.session_type, s.component_id)?.name ?? null;
    return sessionDetail(s, runs, name);
  };
  const detailQuery = z.object({
    type: sessionType.optional(),
    user_id: z.string().min(1).optional(),
    ...dbQuery,
  });
  return [
    defineRoute({
      method: "GET",
      path: "/sessions",
      summary: "Sessions, paginated: {data, meta{page, limit, total_pages, total_count, search_time_ms}}",
      tags,
      scope: read,
      query: z.object({
        type: sessionType.optional(),
        component_id: z.string().min(1).optional(),
        user_id: z.string().min(1).optional(),
        session_name: z.string().max(500).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(20),
        page: z.coerce.number().int().min(1).default(1),
        sort_by: z.string().default("created_at"),
        sort_order: z.enum(["asc", "desc"]).default("desc"),
        ...dbQuery,
      }),
      handler: async ({ query, principal }) => {
        checkDatabase(ctx, query);
        const began = performance.now();
        const page = await sessions.page(principal, {
          type: query.type,
          componentId: query.component_id,
          userId: query.user_id,
          nameContains: query.session_name || undefined,
          limit: query.limit,
          offset: (query.page - 1) * query.limit,
          // An unknown column is ignored, as Agno does.
          sortBy: SORTABLE.has(query.sort_by) ? (query.sort_by as SessionSortColumn) : "created_at",
          sortOrder: query.sort_order,
        });
        // Unnamed sessions are called by their first message, which only their first run has.
        const unnamed = page.sessions.filter((s) => !s.session_name).map((s) => s.session_id);
        const firsts = await ctx.store.runs.firstRuns(unnamed);
        const data = page.sessions.map((s) => sessionSchema(s, displayName(s, firsts.get(s.session_id))));
        return paginatedResponse(data, query.page, query.limit, page.total, performance.now() - began);
      },
    }),
    defineRoute({
      method: "GET",
      path: "/sessions/:session_id",
      summary: "A session's detail (agent, team or workflow form by its type), with its chat history",
      tags,
      scope: read,
      params: idParams,
      query: detailQuery,
      handler: async ({ params, query, principal }) => {
        checkDatabase(ctx, query);
        return detail(await visible(principal, params.session_id, query.type, query.user_id));
      },
    }),
    defineRoute({
      method: "GET",
      path: "/sessions/:session_id/runs",
      summary: "The session's runs, oldest first; a live run is included with its content so far",
      tags,
      scope: read,
      params: idParams,
      query: detailQuery.extend({
        created_after: z.coerce.number().int().optional().describe("Epoch seconds"),
        created_before: z.coerce.number().int().optional().describe("Epoch seconds"),
      }),
      handler: async ({ params, query, principal }) => {
        checkDatabase(ctx, query);
        const runs = await sessions.runsWithLive(principal, params.session_id);
        return runs.filter((r) => inRange(r, query) && matches(r, query.type, query.user_id)).map(runSchema);
      },
    }),
    defineRoute({
      method: "GET",
      path: "/sessions/:session_id/runs/:run_id",
      summary: "One run of the session",
      tags,
      scope: read,
      params: idParams.extend({ run_id: z.string().min(1) }),
      query: detailQuery,
      handler: async ({ params, query, principal }) => {
        checkDatabase(ctx, query);
        const runs = await sessions.runsWithLive(principal, params.session_id);
        const run = runs.find((r) => r.run_id === params.run_id);
        if (!run || !matches(run, query.type, query.user_id)) throw new NotFoundError("Run not found", "run");
        return runSchema(run);
      },
    }),
    defineRoute({
      method: "POST",
      path: "/sessions/:session_id/rename",
      summary: "Rename a session; answers its detail",
      tags,
      scope: { resource: "sessions", action: "write" },
      params: idParams,
      query: detailQuery,
      bodyKind: "json",
      body: z.object({ session_name: z.string({ error: "Field required" }).max(500) }),
      handler: async ({ params, query, body, principal }) => {
        checkDatabase(ctx, query);
        await visible(principal, params.session_id, query.type);
        const { session_name } = await body();
        return detail(await sessions.update(principal, params.session_id, { session_name }));
      },
    }),
    defineRoute({
      method: "PATCH",
      path: "/sessions/:session_id",
      summary: "Change a session's name, state or metadata; answers its detail",
      tags,
      scope: { resource: "sessions", action: "write" },
      params: idParams,
      query: detailQuery,
      bodyKind: "json",
      body: z.object({
        session_name: z.string().max(500).nullable().optional(),
        session_state: jsonObject.nullable().optional(),
        metadata: jsonObject.nullable().optional(),
      }),
      handler: async ({ params, query, body, principal }) => {
        checkDatabase(ctx, query);
        await visible(principal, params.session_id, query.type);
        return detail(await sessions.update(principal, params.session_id, await body()));
      },
    }),
    defineRoute({
      method: "DELETE",
      path: "/sessions/:session_id",
      summary: "Delete a session with its runs (204)",
      tags,
      scope: { resource: "sessions", action: "delete" },
      params: idParams,
      query: detailQuery,
      responses: { 204: z.null() },
      handler: async ({ params, query, principal, reply }) => {
        checkDatabase(ctx, query);
        await visible(principal, params.session_id, undefined, query.user_id);
        await sessions.delete(principal, params.session_id);
        reply.code(204);
        return undefined;
      },
    }),
    defineRoute({
      method: "DELETE",
      path: "/sessions",
      summary: "Delete several sessions (204); session_ids and session_types pair up",
      tags,
      scope: { resource: "sessions", action: "delete" },
      query: z.object({ ...dbQuery }),
      bodyKind: "json",
      body: z.object({
        session_ids: z.array(z.string().min(1)).max(1000),
        session_types: z.array(sessionType).max(1000),
      }),
      responses: { 204: z.null() },
      handler: async ({ query, body, principal, reply }) => {
        checkDatabase(ctx, query);
        const { session_ids, session_types } = await body();
        if (session_ids.length !== session_types.length)
          throw new BadRequestError("Session IDs and session types must have the same length");
        for (let i = 0; i < session_ids.length; i++) {
          // Unknown, foreign or mistyped sessions are skipped, as a bulk delete of Agno's ignores them.
          const s = await sessions.get(principal, session_ids[i]).catch(() => undefined);
          if (s && s.session_type === session_types[i])
            await sessions.delete(principal, s.session_id).catch((err: unknown) => {
              if (!(err instanceof NotFoundError)) throw err;
            });
        }
        reply.code(204);
        return undefined;
      },
    }),
  ];
}

function inRange(run: RunOutput, q: { created_after?: number; created_before?: number }): boolean {
  return (
    (q.created_after === undefined || run.created_at >= q.created_after) &&
    (q.created_before === undefined || run.created_at <= q.created_before)
  );
}

function matches(run: RunOutput, type?: ComponentKind, userId?: string): boolean {
  return (!type || run.component_kind === type) && (!userId || run.user_id === userId);
}
