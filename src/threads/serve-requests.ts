import type { MessagePort } from "node:worker_threads";
import type { WorkerReply } from "./worker-client.js";

/**
 * The worker side of WorkerClient: answers each request (a message with an id) with what
 * `handle` resolves to, or its error's message; other messages go to `other`.
 */
export function serveRequests<R extends { id: number }>(
  port: MessagePort,
  handle: (request: R) => Promise<unknown>,
  other: (message: unknown) => void = () => {},
): void {
  port.on("message", (m: unknown) => {
    if (typeof m !== "object" || m === null || !("id" in m)) return other(m);
    const req = m as R;
    handle(req).then(
      (value) => port.postMessage({ id: req.id, ok: true, value } satisfies WorkerReply),
      (err: unknown) =>
        port.postMessage({
          id: req.id,
          ok: false,
          error: err instanceof Error ? err.message : String(err),
        } satisfies WorkerReply),
    );
  });
}
