import { z } from "zod";
import { ConflictError } from "../../errors.js";
import type { ComponentKind, RunEvent } from "../../run/index.js";
import { RUN_STATUSES } from "../../run/index.js";
import { hasScope, insufficientScope } from "../auth/index.js";
import type { ServerContext } from "../context.js";
import { SseResponse, sseFrame } from "../http/sse.js";
import { pipeEvents } from "../http/stream-events.js";
import { defineRoute } from "../route.js";
import type { RouteDef, ScopeResource } from "../route.js";
import { limitParam } from "../schemas/fields.js";
import { eventsQuery, runForm } from "../schemas/run-form.js";
import { componentDetail, componentListItem, runResponse } from "../serializers/root.js";
import type { RunService } from "../services/run-service.js";

const PLURAL: Record<ComponentKind, ScopeResource> = {
  agent: "agents",
  team: "teams",
  workflow: "workflows",
};
const TITLE: Record<ComponentKind, string> = { agent: "Agents", team: "Teams", workflow: "Workflows" };

/** The root surface's SSE frame: id, event name and the event as one line of JSON. */
export const rootFrame = (ev: RunEvent) => sseFrame(ev.event, ev, ev.event_index);

/** List, get, run, poll, list runs, cancel, continue and reattach for one kind of component. */
export function componentRoutes(ctx: ServerContext, runs: RunService, kind: ComponentKind): RouteDef[] {
  const plural = PLURAL[kind];
  const idParam = `${kind}_id`;
  const base = `/${plural}/:${idParam}`;
  const tags = [TITLE[kind]];
  const idParams = z.object({ [idParam]: z.string().min(1) }) as z.ZodType<Record<string, string>>;
  const runParams = z.object({ [idParam]: z.string().min(1), run_id: z.string().min(1) }) as z.ZodType<
    Record<string, string>
  >;

  return [
    defineRoute({
      method: "GET",
      path: `/${plural}`,
      summary: `List ${plural} the caller may read`,
      tags,
      scope: { resource: plural, action: "read", anyId: true },
      handler: ({ principal }) => {
        const read = { resource: plural, action: "read" } as const;
        const items = ctx.components.list(kind).filter((c) => hasScope(principal, read, c.id));
        // Per-id grants that match nothing here are no grant at all.
        if (items.length === 0 && !hasScope(principal, read)) throw insufficientScope(plural, "read");
        return { [plural]: items.map((c) => componentListItem(c.info())) };
      },
    }),
    defineRoute({
      method: "GET",
      path: base,
      summary: `Get one ${kind}'s definition`,
      tags,
      scope: { resource: plural, action: "read", idParam },
      params: idParams,
      handler: ({ params }) => componentDetail(ctx.components.get(kind, params[idParam]).info()),
    }),
    defineRoute({
      method: "POST",
      path: `${base}/runs`,
      summary: `Run the ${kind}: JSON answer, SSE stream (stream=true) or 202 in the background (background=true)`,
      tags,
      scope: { resource: plural, action: "run", idParam },
      params: idParams,
      bodyKind: "form",
      body: runForm,
      responses: {
        200: z.object({
          run_id: z.string(),
          session_id: z.string(),
          status: z.string(),
          content: z.unknown(),
        }),
        202: z.object({ run_id: z.string(), session_id: z.string(), status: z.literal("PENDING") }),
      },
      handler: async ({ params, body, files, principal, reply }) => {
        const component = ctx.components.get(kind, params[idParam]);
        const form = await body();
        const live = await runs.start(kind, component.id, form, files, principal);
        if (form.background) {
          reply.code(202);
          return { run_id: live.runId, session_id: live.sessionId, status: "PENDING" };
        }
        if (!form.stream) return runResponse(await live.output);
        await live.started;
        const sse = new SseResponse(reply, { keepAliveMs: ctx.settings.keepAliveMs });
        const outcome = await pipeEvents(sse, live.subscribe(-1), rootFrame);
        const onDisconnect = form.on_disconnect ?? component.runPolicy.onDisconnect;
        if (outcome === "disconnected" && onDisconnect === "cancel")
          await ctx.runs.cancel(live.runId, "The client disconnected");
        return undefined;
      },
    }),
    defineRoute({
      method: "GET",
      path: `${base}/runs`,
      summary: `List runs of the ${kind}, optionally of one session`,
      tags,
      scope: { resource: plural, action: "read", idParam },
      params: idParams,
      query: z.object({
        session_id: z.string().min(1).optional(),
        status: z.enum(RUN_STATUSES as [string, ...string[]]).optional(),
        limit: limitParam(100, 1000),
      }),
      handler: async ({ params, query, principal }) => {
        const list = await runs.list(kind, params[idParam], principal, {
          sessionId: query.session_id,
          status: query.status as never,
          limit: query.limit,
        });
        return { runs: list.map(runResponse) };
      },
    }),
    defineRoute({
      method: "GET",
      path: `${base}/runs/:run_id`,
      summary: "Get a run (while it runs too: status RUNNING, content so far)",
      tags,
      scope: { resource: plural, action: "read", idParam },
      params: runParams,
      query: z.object({ session_id: z.string().min(1).optional() }),
      handler: async ({ params, query, principal }) =>
        runResponse((await runs.find(kind, params[idParam], params.run_id, principal, query.session_id)).run),
    }),
    defineRoute({
      method: "POST",
      path: `${base}/runs/:run_id/cancel`,
      summary: "Cancel a run; a finished run is left as it is",
      tags,
      scope: { resource: plural, action: "run", idParam },
      params: runParams,
      responses: { 200: z.object({ run_id: z.string(), status: z.string() }) },
      handler: ({ params, principal }) => runs.cancel(kind, params[idParam], params.run_id, principal),
    }),
    defineRoute({
      method: "POST",
      path: `${base}/runs/:run_id/continue`,
      summary: "Continue a paused run with the resolved tools",
      tags,
      scope: { resource: plural, action: "run", idParam },
      params: runParams,
      handler: async ({ params, principal }) => {
        const { run } = await runs.find(kind, params[idParam], params.run_id, principal);
        if (run.status !== "PAUSED")
          throw new ConflictError(`Run '${run.run_id}' is not paused (status ${run.status})`);
        throw new ConflictError(`Run '${run.run_id}' cannot be continued: its ${kind} has no paused tools`);
      },
    }),
    defineRoute({
      method: "GET",
      path: `${base}/runs/:run_id/events`,
      summary: "Reattach to a run's stream: replays events after Last-Event-ID, then follows live ones",
      tags,
      scope: { resource: plural, action: "read", idParam },
      params: runParams,
      query: eventsQuery,
      responses: {
        200: { description: "text/event-stream of run events", contentType: "text/event-stream" },
      },
      handler: async ({ params, query, principal, req, reply }) => {
        const found = await runs.find(kind, params[idParam], params.run_id, principal);
        const header = req.headers["last-event-id"];
        const fromHeader =
          typeof header === "string" && /^-?\d+$/.test(header.trim()) ? Number(header) : undefined;
        const after = fromHeader ?? query.last_event_index ?? -1;
        const sse = new SseResponse(reply, { keepAliveMs: ctx.settings.keepAliveMs });
        const ac = new AbortController();
        void sse.closedPromise.then(() => ac.abort());
        await pipeEvents(sse, runs.events(found, after, ac.signal), rootFrame);
        return undefined;
      },
    }),
  ];
}
