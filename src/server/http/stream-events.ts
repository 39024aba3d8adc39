import type { RunEvent } from "../../run/index.js";
import type { SseResponse } from "./sse.js";

const CLOSED: unique symbol = Symbol("closed");

/**
 * Writes batches of events to an SSE response until they end or the client leaves.
 * Resolves "completed" or "disconnected"; a slow client is waited for with backpressure, the
 * run itself never is.
 */
export async function pipeEvents(
  sse: SseResponse,
  batches: AsyncGenerator<RunEvent[]>,
  frame: (ev: RunEvent) => string,
): Promise<"completed" | "disconnected"> {
  const closed = sse.closedPromise.then((): typeof CLOSED => CLOSED);
  try {
    for (;;) {
      const next = await Promise.race([batches.next(), closed]);
      if (next === CLOSED) return "disconnected";
      if (next.done) return "completed";
      let chunk = "";
      for (const ev of next.value) chunk += frame(ev);
      if (!sse.write(chunk)) await sse.drained();
      if (sse.closed) return "disconnected";
    }
  } finally {
    // Not awaited: a generator waiting for the next event finishes when the run does.
    void batches.return(undefined).catch(() => {});
    sse.end();
  }
}
