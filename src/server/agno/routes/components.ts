import { z } from "zod";
import { BadRequestError, ConflictError, NotFoundError } from "../../../errors.js";
import type { ComponentKind, RunEvent } from "../../../run/index.js";
import { RUN_STATUSES } from "../../../run/index.js";
import type { Principal } from "../../auth/index.js";
import { hasScope, insufficientScope } from "../../auth/index.js";
import type { ServerContext } from "../../context.js";
import { defineRoute } from "../../route.js";
import type { RouteDef } from "../../route.js";
import { PLURAL, TITLE } from "../../routes/components.js";
import type { ContinueForm, RunForm } from "../../schemas/run-form.js";
import {
  agentResponse,
  agnoFrame,
  runOutputDict,
  runSchema,
  teamResponse,
  workflowResponse,
  workflowSummary,
} from "../../serializers/agno/index.js";
import type { FoundRun, RunService } from "../../services/run-service.js";
import { streamAgno } from "../agno-stream.js";
import { agnoContinueForm, agnoResumeForm, agnoRunForm } from "../run-form.js";
import type { AgnoContinueForm } from "../run-form.js";

/** List, get, run, poll, list runs, cancel, continue and resume for one kind, in Agno's shapes. */
export function agnoComponentRoutes(ctx: ServerContext, runs: RunService, kind: ComponentKind): RouteDef[] {
  const plural = PLURAL[kind];
  const idParam = `${kind}_id`;
  const base = `/${plural}/:${idParam}`;
  const tags = [TITLE[kind]];
  const osDb = ctx.store.id;
  const idParams = z.object({ [idParam]: z.string().min(1) }) as z.ZodType<Record<string, string>>;
  const runParams = z.object({ [idParam]: z.string().min(1), run_id: z.string().min(1) }) as z.ZodType<
    Record<string, string>
  >;
  const describe = (id: string): Record<string, unknown> => {
    const info = ctx.components.get(kind, id).info();
    if (kind === "agent") return agentResponse(info, osDb);
    if (kind === "team")
      return teamResponse(info, osDb, (k, memberId) =>
        ctx.components.find(k as ComponentKind, memberId)?.info(),
      );
    return workflowResponse(info, osDb);
  };
  const cancelOnLeave = (runId: string) => () => ctx.runs.cancel(runId, "The client disconnected");

  return [
    defineRoute({
      method: "GET",
      path: `/${plural}`,
      summary: `List ${plural} (a bare array of Agno's responses)`,
      tags,
      scope: { resource: plural, action: "read", anyId: true },
      handler: ({ principal }) => {
        const read = { resource: plural, action: "read" } as const;
        const items = ctx.components.list(kind).filter((c) => hasScope(principal, read, c.id));
        if (items.length === 0 && !hasScope(principal, read)) throw insufficientScope(plural, "read");
        return items.map((c) => (kind === "workflow" ? workflowSummary(c.info(), osDb) : describe(c.id)));
      },
    }),
    defineRoute({
      method: "GET",
      path: base,
      summary: `Get one ${kind}`,
      tags,
      scope: { resource: plural, action: "read", idParam },
      params: idParams,
      handler: ({ params }) => describe(params[idParam]),
    }),
    defineRoute({
      method: "POST",
      path: `${base}/runs`,
      summary: `Run the ${kind}: SSE (stream defaults to true), a RunOutput dict, or 202 in the background`,
      description:
        "Form fields: message (required), stream (default true), stream_events (default true), session_id " +
        '(absent or "" starts a new session), user_id, background, session_state, metadata, dependencies; ' +
        "other fields are accepted and ignored. Files go in the repeatable `files` field.",
      tags,
      scope: { resource: plural, action: "run", idParam },
      params: idParams,
      bodyKind: "form",
      body: agnoRunForm,
      handler: async ({ params, body, files, principal, reply }) => {
        const component = ctx.components.get(kind, params[idParam]);
        const form = await body();
        const stream = form.stream ?? true;
        const background = form.background ?? false;
        const takesJson = kind === "workflow" && !!component.info().settings.input_schema;
        const rootForm: RunForm = {
          message: form.message,
          session_id: form.session_id,
          user_id: form.user_id,
          stream,
          background,
          session_state: form.session_state,
          metadata: form.metadata,
          dependencies: form.dependencies,
          on_disconnect: form.on_disconnect,
          input: takesJson ? form.message : undefined,
        };
        const live = await runs.start(kind, component.id, rootForm, files, principal);
        if (background && !stream) {
          reply.code(202);
          return { run_id: live.runId, session_id: live.sessionId, status: "PENDING" };
        }
        if (!stream) return runOutputDict(await live.output);
        await live.started;
        const outcome = await streamAgno(ctx, reply, (signal) => live.subscribe(-1, signal), {
          withIndex: background,
          essentialOnly: form.stream_events === false ? { rootRunId: live.runId } : undefined,
        });
        // Agno cancels a run whose (foreground) client left; a background run goes on.
        const policy = form.on_disconnect ?? (background ? "continue" : "cancel");
        if (outcome === "disconnected" && policy === "cancel") await cancelOnLeave(live.runId)();
        return undefined;
      },
    }),
    defineRoute({
      method: "GET",
      path: `${base}/runs`,
      summary: `The ${kind}'s runs in a session (session_id required)`,
      tags,
      scope: { resource: plural, action: "read", idParam },
      params: idParams,
      query: z.object({
        session_id: z.string({ error: "Field required" }).min(1),
        status: z.enum(RUN_STATUSES as [string, ...string[]]).optional(),
      }),
      handler: async ({ params, query, principal }) => {
        const list = await runs.list(kind, params[idParam], principal, {
          sessionId: query.session_id,
          status: query.status as never,
          limit: 10_000,
        });
        return list.map(runSchema);
      },
    }),
    defineRoute({
      method: "GET",
      path: `${base}/runs/:run_id`,
      summary: "A run as a RunOutput dict (for polling; session_id required)",
      tags,
      scope: { resource: plural, action: "read", idParam },
      params: runParams,
      query: z.object({ session_id: z.string({ error: "Field required" }).min(1) }),
      handler: async ({ params, query, principal }) =>
        runOutputDict(
          (await runs.find(kind, params[idParam], params.run_id, principal, query.session_id)).run,
        ),
    }),
    defineRoute({
      method: "POST",
      path: `${base}/runs/:run_id/cancel`,
      summary: "Cancel a run: always {} (for a run not started yet, the intent is kept)",
      tags,
      scope: { resource: plural, action: "run", idParam },
      params: runParams,
      query: z.object({ session_id: z.string().optional() }),
      responses: { 200: z.object({}) },
      handler: async ({ params, principal }) => {
        await cancelRun(ctx, runs, kind, params[idParam], params.run_id, principal);
        return {};
      },
    }),
    defineRoute({
      method: "POST",
      path: `${base}/runs/:run_id/continue`,
      summary: "Continue a paused run (form: tools, requirements or step_requirements; session_id required)",
      tags,
      scope: { resource: plural, action: "run", idParam },
      params: runParams,
      bodyKind: "form",
      body: agnoContinueForm,
      handler: async ({ params, body, principal, reply }) => {
        const form = await body();
        if (!form.session_id) throw new BadRequestError("session_id is required for this action");
        const { run } = await runs.find(kind, params[idParam], params.run_id, principal, form.session_id);
        if (run.status !== "PAUSED")
          throw new ConflictError(`Run is not paused: its status is ${run.status}`);
        const resolution: ContinueForm = {
          tools: resolvedTools(kind, form) as ContinueForm["tools"],
          session_id: form.session_id,
          stream: form.stream ?? true,
          on_disconnect: form.on_disconnect,
        };
        const live = await runs.continue(kind, run, resolution);
        if (!resolution.stream) return runOutputDict(await live.output);
        await live.started;
        const outcome = await streamAgno(
          ctx,
          reply,
          (signal) => live.subscribe(live.firstIndex - 1, signal),
          { withIndex: false },
        );
        if (outcome === "disconnected" && (form.on_disconnect ?? "cancel") === "cancel")
          await cancelOnLeave(live.runId)();
        return undefined;
      },
    }),
    defineRoute({
      method: "POST",
      path: `${base}/runs/:run_id/resume`,
      summary:
        "Resume a run's stream after last_event_index: catch_up/subscribed while it runs, replay after",
      tags,
      scope: { resource: plural, action: "read", idParam },
      params: runParams,
      bodyKind: "form",
      body: agnoResumeForm,
      handler: async ({ params, body, principal, reply }) => {
        const form = await body();
        const last = form.last_event_index ?? -1;
        let found: FoundRun;
        try {
          found = await runs.find(kind, params[idParam], params.run_id, principal, form.session_id);
        } catch (err) {
          if (!(err instanceof NotFoundError) || err.subject !== "run") throw err;
          const error = { event: "error", error: `Run ${params.run_id} not found in buffer or database` };
          await streamAgno(ctx, reply, emptyEvents, { withIndex: true, before: agnoFrame("error", error) });
          return undefined;
        }
        await resumeStream(ctx, runs, found, last, reply);
        return undefined;
      },
    }),
  ];
}

async function* emptyEvents(): AsyncGenerator<RunEvent[]> {}

/** Resume's three paths: a live run (catch_up, missed events, subscribed, live events) or a replay. */
async function resumeStream(
  ctx: ServerContext,
  runs: RunService,
  found: FoundRun,
  last: number,
  reply: Parameters<typeof streamAgno>[1],
): Promise<void> {
  const { run, live } = found;
  if (live && !live.ended) {
    const count = live.buffer.nextIndex;
    const missed = Math.max(0, count - (last + 1));
    const catchUp = {
      event: "catch_up",
      run_id: run.run_id,
      status: "running",
      missed_events: missed,
      current_event_count: count,
      message: `Catching up on ${missed} missed events`,
    };
    const subscribed = {
      event: "subscribed",
      run_id: run.run_id,
      status: "running",
      current_event_count: count,
      message: "Subscribed to live events",
    };
    await streamAgno(ctx, reply, (signal) => live.subscribe(last, signal), {
      withIndex: true,
      before: agnoFrame("catch_up", catchUp),
      after: [missed ? count - 1 : -1, agnoFrame("subscribed", subscribed)],
    });
    return;
  }
  const total = live ? live.buffer.nextIndex : (await ctx.store.events.lastIndex(run.run_id)) + 1;
  const replay = {
    event: "replay",
    run_id: run.run_id,
    status: run.status,
    total_events: total,
    total_buffered: total,
    last_event_index_requested: last,
    message: `Replaying ${Math.max(0, total - (last + 1))} events`,
  };
  await streamAgno(ctx, reply, (signal) => runs.events(found, last, signal), {
    withIndex: true,
    before: agnoFrame("replay", replay),
  });
}

/** Cancels the run if it is the caller's; an unknown run id keeps the intent (the run may not have started). */
async function cancelRun(
  ctx: ServerContext,
  runs: RunService,
  kind: ComponentKind,
  componentId: string,
  runId: string,
  principal: Principal,
): Promise<void> {
  try {
    await runs.cancel(kind, componentId, runId, principal);
  } catch (err) {
    if (!(err instanceof NotFoundError) || err.subject !== "run") throw err;
    // Another user's (or another component's) run stays untouched; only a run unknown everywhere gets the intent.
    if (!ctx.runs.get(runId) && !(await ctx.store.runs.get(runId))) await ctx.runs.cancel(runId);
  }
}

/** The resolved tool executions of a continue: agents send `tools`, teams `requirements`. */
function resolvedTools(kind: ComponentKind, form: AgnoContinueForm): Record<string, unknown>[] {
  if (kind === "team" && form.requirements) {
    return form.requirements.map((req) => {
      const te = (req.tool_execution ?? {}) as Record<string, unknown>;
      return {
        ...te,
        confirmed: req.confirmation ?? te.confirmed,
        confirmation_note: req.confirmation_note ?? te.confirmation_note,
        user_input_schema: req.user_input_schema ?? te.user_input_schema,
        ...(req.external_execution_result !== undefined && req.external_execution_result !== null
          ? { result: req.external_execution_result }
          : {}),
      };
    });
  }
  const tools = form.tools ?? form.step_requirements;
  if (!tools?.length) throw new BadRequestError("tools is required to continue a paused run");
  for (const t of tools)
    if (typeof t?.tool_call_id !== "string" || !t.tool_call_id)
      throw new BadRequestError("Each tool needs its tool_call_id");
  return tools;
}
