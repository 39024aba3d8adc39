import type { FastifyReply } from "fastify";
import { z } from "zod";
import { ConflictError, NotFoundError } from "../../errors.js";
import { newId } from "../../ids.js";
import type { ComponentKind, RunEvent } from "../../run/index.js";
import { RUN_STATUSES } from "../../run/index.js";
import { actingUserId, hasScope, insufficientScope } from "../auth/index.js";
import type { ServerContext } from "../context.js";
import { SseResponse, sseFrame } from "../http/sse.js";
import { pipeEvents } from "../http/stream-events.js";
import { defineRoute } from "../route.js";
import type { RouteDef, ScopeResource } from "../route.js";
import { limitParam } from "../schemas/fields.js";
import { RUN_FILES_NOTE, continueForm, eventsQuery, runForm } from "../schemas/run-form.js";
import { componentDetail, componentListItem, runResponse } from "../serializers/root.js";
import { idempotencyKeyHeader, requestHash } from "../services/idempotency.js";
import type { IdempotentRuns, RunOnce } from "../services/idempotency.js";
import type { RunService } from "../services/run-service.js";

/** The path segment and scope resource of each kind. */
export const PLURAL: Record<ComponentKind, ScopeResource> = {
  agent: "agents",
  team: "teams",
  workflow: "workflows",
};
/** The OpenAPI tag of each kind. */
export const TITLE: Record<ComponentKind, string> = { agent: "Agents", team: "Teams", workflow: "Workflows" };

/** The root surface's SSE frame: id, event name and the event as one line of JSON. */
export const rootFrame = (ev: RunEvent) => sseFrame(ev.event, ev, ev.event_index);

/** A W3C traceparent: the run's trace continues the caller's; a malformed one is ignored, as the spec says. */
const traceparentHeader = z
  .string()
  .optional()
  .describe("W3C Trace Context: the run's trace continues the caller's trace");

/** List, get, run, poll, list runs, cancel, continue and reattach for one kind of component. */
export function componentRoutes(
  ctx: ServerContext,
  runs: RunService,
  idempotent: IdempotentRuns,
  kind: ComponentKind,
): RouteDef[] {
  const plural = PLURAL[kind];
  const idParam = `${kind}_id`;
  const base = `/${plural}/:${idParam}`;
  const tags = [TITLE[kind]];
  const idParams = z.object({ [idParam]: z.string().min(1) }) as z.ZodType<Record<string, string>>;
  const runParams = z.object({ [idParam]: z.string().min(1), run_id: z.string().min(1) }) as z.ZodType<
    Record<string, string>
  >;

  /** Streams run events as SSE until the terminal event; `onLeave` runs if the client leaves first. */
  const streamEvents = async (
    reply: FastifyReply,
    events: (signal: AbortSignal) => AsyncGenerator<RunEvent[]>,
    onLeave?: () => Promise<unknown>,
  ): Promise<undefined> => {
    const sse = new SseResponse(reply, { keepAliveMs: ctx.settings.keepAliveMs });
    const closed = ctx.connections?.opened("sse");
    try {
      if ((await pipeEvents(sse, events(sse.signal), rootFrame)) === "disconnected") await onLeave?.();
    } finally {
      closed?.();
    }
    return undefined;
  };
  /** What a client leaving a run's stream does: nothing (the run goes on) or cancel it. */
  const leaving = (policy: "continue" | "cancel", runId: string) =>
    policy === "cancel" ? () => ctx.runs.cancel(runId, "The client disconnected") : undefined;

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
      description:
        RUN_FILES_NOTE +
        " With an `Idempotency-Key` header, a retry of the same request returns the first run (its result, " +
        "its stream from the start, or the same 202 body) instead of starting another; the same key with " +
        "another request is 409.",
      tags,
      scope: { resource: plural, action: "run", idParam },
      params: idParams,
      headers: z.object({ "idempotency-key": idempotencyKeyHeader, traceparent: traceparentHeader }),
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
      handler: async ({ params, headers, body, files, principal, reply }) => {
        const component = ctx.components.get(kind, params[idParam]);
        const form = await body();
        const traceParent = headers.traceparent;
        const start = (ids?: { runId: string; sessionId: string }) =>
          runs.start(kind, component.id, form, files, principal, {
            ...ids,
            traceParent,
            requestId: reply.request.id,
          });
        const key = headers["idempotency-key"];
        let run: RunOnce;
        if (key) {
          // The ids are chosen before the key is claimed, so that a retry learns them from the record.
          const ids = { runId: newId(), sessionId: form.session_id ?? newId() };
          const userId = actingUserId(principal, form.user_id);
          const request = { kind, componentId: component.id, userId, key, hash: requestHash(form, files) };
          run = await idempotent.once(request, ids, () => start(ids));
        } else {
          const live = await start();
          run = { runId: live.runId, sessionId: live.sessionId, live, replayed: false };
        }
        if (form.background) {
          reply.code(202);
          return { run_id: run.runId, session_id: run.sessionId, status: "PENDING" };
        }
        const onLeave = leaving(form.on_disconnect ?? component.runPolicy.onDisconnect, run.runId);
        if (!form.stream) {
          const out = run.live ? await run.live.output : await runs.outcome(run.runId, closedSignal(reply));
          if (!out) throw new NotFoundError("Run not found", "run");
          return runResponse(out);
        }
        if (run.live && !run.replayed) {
          const live = run.live;
          await live.started;
          return streamEvents(reply, (signal) => live.subscribe(-1, signal), onLeave);
        }
        const found = await runs.find(kind, component.id, run.runId, principal);
        return streamEvents(reply, (signal) => runs.events(found, -1, signal), onLeave);
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
      summary:
        "Continue a paused run with the resolved tools: JSON answer, or SSE from RunContinued (stream=true)",
      description:
        "`tools` is the JSON list of the paused tool executions (from RunPaused) with `confirmed` " +
        "(and `confirmation_note`), `user_input_schema[].value` or `result` filled in. 409 when the run " +
        "is not paused; of two concurrent continues one wins and the other is 409.",
      tags,
      scope: { resource: plural, action: "run", idParam },
      params: runParams,
      headers: z.object({ traceparent: traceparentHeader }),
      bodyKind: "form",
      body: continueForm,
      handler: async ({ params, headers, body, principal, reply }) => {
        const { run } = await runs.find(kind, params[idParam], params.run_id, principal);
        // Checked before the body is read: a request for a run that is not paused is 409 whatever it says.
        if (run.status !== "PAUSED")
          throw new ConflictError(`Run '${run.run_id}' is not paused (status ${run.status})`);
        const form = await body();
        if (form.session_id && form.session_id !== run.session_id)
          throw new NotFoundError("Run not found", "run");
        const live = await runs.continue(kind, run, form, {
          traceParent: headers.traceparent,
          requestId: reply.request.id,
        });
        if (!form.stream) return runResponse(await live.output);
        await live.started;
        const component = ctx.components.get(kind, params[idParam]);
        const onLeave = leaving(form.on_disconnect ?? component.runPolicy.onDisconnect, live.runId);
        return streamEvents(reply, (signal) => live.subscribe(live.firstIndex - 1, signal), onLeave);
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
        return streamEvents(reply, (signal) => runs.events(found, after, signal));
      },
    }),
  ];
}

/** Aborts when the response closes: sent, or the client stopped waiting. */
function closedSignal(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once("close", () => ac.abort());
  return ac.signal;
}
