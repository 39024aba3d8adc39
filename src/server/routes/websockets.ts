import { z } from "zod";
import { BadRequestError, ForbiddenError, errorMessage } from "../../errors.js";
import type { Runnable } from "../../run/index.js";
import type { Principal } from "../auth/index.js";
import { hasScope } from "../auth/index.js";
import type { ServerContext } from "../context.js";
import { RunSocket, closeReason } from "../http/run-socket.js";
import { validate } from "../http/validation.js";
import { defineRoute } from "../route.js";
import type { RouteDef } from "../route.js";
import { runForm } from "../schemas/run-form.js";
import type { RunService } from "../services/run-service.js";
import { PLURAL, TITLE } from "./components.js";

/** What a client frame may ask of a run: the run form without the HTTP answer modes. */
const socketRunRequest = runForm.omit({ stream: true, background: true });

/** Close codes of a refused WebSocket (HTTP's status plus 4000). */
const CLOSE = { unauthorized: 4401, forbidden: 4403, notFound: 4404 } as const;

/** `/ws/agents/{id}`, `/ws/teams/{id}`, `/ws/workflows/{id}`: runs over a WebSocket (contract section 5). */
export function websocketRoutes(ctx: ServerContext, runs: RunService): RouteDef[] {
  return (["agent", "team", "workflow"] as const).map((kind) => {
    const plural = PLURAL[kind];
    const idParam = `${kind}_id`;
    const scope = { resource: plural, action: "run" as const, idParam };
    return defineRoute({
      method: "GET",
      path: `/ws/${plural}/:${idParam}`,
      summary: `WebSocket: run the ${kind} and receive its events, one JSON text frame each`,
      description:
        "Connect with `?token=<JWT or key>` when auth is on (close 4401 without a valid one, 4403 without " +
        `the \`${plural}:run\` scope, 4404 for an unknown id). Send \`{"message", "session_id"?, "user_id"?}\` ` +
        'to run (several runs one after another), `{"action":"cancel","run_id"}` to cancel, ' +
        '`{"action":"ping"}` for `{"event":"pong"}`. Control frames have a lowercase `event`: ' +
        "`connected`, `error` (`status`, `detail`), `cancel`, `pong`.",
      tags: [TITLE[kind]],
      scope,
      params: z.object({ [idParam]: z.string().min(1) }) as z.ZodType<Record<string, string>>,
      query: z.object({ token: z.string().optional() }),
      handler: () => {
        throw new BadRequestError("This route takes WebSocket connections (Upgrade: websocket)");
      },
      websocket: (socket, { params, query, req }) => {
        const id = params[idParam];
        const closed = ctx.connections?.opened("websocket");
        if (closed) socket.once("close", closed);
        const ready = (async (): Promise<{ principal: Principal; component: Runnable }> => {
          let principal: Principal;
          try {
            principal = await ctx.auth.authenticateToken(
              query.token ?? bearerToken(req.headers.authorization),
            );
          } catch (err) {
            socket.close(CLOSE.unauthorized, closeReason(errorMessage(err)));
            throw err;
          }
          if (!hasScope(principal, scope, id)) {
            const err = new ForbiddenError(`Insufficient permissions. Required scope(s): ${plural}:run`);
            socket.close(CLOSE.forbidden, closeReason(err.message));
            throw err;
          }
          try {
            return { principal, component: ctx.components.get(kind, id) };
          } catch (err) {
            socket.close(CLOSE.notFound, closeReason(errorMessage(err)));
            throw err;
          }
        })();
        ready.catch(() => {});
        // Built at once, so that frames sent before authentication finishes wait for it instead of being lost.
        const rs = new RunSocket(socket, {
          start: async (request) => {
            const { principal, component } = await ready;
            const form = validate(socketRunRequest, request, "body");
            const live = await runs.start(kind, component.id, form, [], principal);
            return { live, onDisconnect: form.on_disconnect ?? component.runPolicy.onDisconnect };
          },
          cancel: async (runId) => runs.cancel(kind, id, runId, (await ready).principal),
          abandon: (runId) => ctx.runs.cancel(runId, "The client disconnected"),
          logger: ctx.logger,
          keepAliveMs: ctx.settings.keepAliveMs,
        });
        void ready.then(
          ({ component }) => rs.send({ event: "connected", [idParam]: component.id }),
          () => {},
        );
      },
    });
  });
}

function bearerToken(header: string | undefined): string | undefined {
  const m = header?.match(/^\s*Bearer\s+(\S+)\s*$/i);
  return m?.[1];
}
