import { BadRequestError } from "../../../errors.js";
import type { ServerContext } from "../../context.js";
import { defineRoute } from "../../route.js";
import type { RouteDef } from "../../route.js";
import type { RunService } from "../../services/run-service.js";
import { AgnoWorkflowSocket } from "../workflow-socket.js";

/** `WS /workflows/ws`: Agno's workflow socket, which authenticates in-band. */
export function agnoWorkflowSocketRoutes(ctx: ServerContext, runs: RunService): RouteDef[] {
  return [
    defineRoute({
      method: "GET",
      path: "/workflows/ws",
      summary: "WebSocket: Agno's workflow protocol (authenticate, ping, start-workflow, reconnect)",
      description:
        'Frames are JSON `{"action": ...}`. The server greets with `connected` (`requires_auth`); with auth on, ' +
        'send `{"action":"authenticate","token"}` first. Events of a run this socket started arrive as SSE ' +
        "text inside each frame; after `reconnect` they arrive as plain JSON.",
      tags: ["Workflows"],
      scope: { resource: "workflows", action: "run" },
      handler: () => {
        throw new BadRequestError("This route takes WebSocket connections (Upgrade: websocket)");
      },
      websocket: (socket) => {
        new AgnoWorkflowSocket(socket, ctx, runs);
      },
    }),
  ];
}
