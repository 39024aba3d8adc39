import type { FastifyReply } from "fastify";
import type { RunEvent } from "../../run/index.js";
import type { ServerContext } from "../context.js";
import { SseResponse } from "../http/sse.js";
import { pipeEvents } from "../http/stream-events.js";
import { agnoEvent, agnoFrame, isEssentialEvent } from "../serializers/agno/index.js";

export interface AgnoStreamOptions {
  /** Keep `event_index` in each event (background streams and resume). */
  withIndex: boolean;
  /** `stream_events=false`: only the run's content deltas, pauses and errors. */
  essentialOnly?: { rootRunId: string };
  /** Control frames written before the first event (resume's `catch_up` or `replay`). */
  before?: string;
  /** Written once the event with this index went out (resume's `subscribed`): [index, frame]. */
  after?: [number, string];
}

/** Streams run events as Agno frames them; resolves "disconnected" when the client left first. */
export async function streamAgno(
  ctx: ServerContext,
  reply: FastifyReply,
  events: (signal: AbortSignal) => AsyncGenerator<RunEvent[]>,
  opts: AgnoStreamOptions,
): Promise<"completed" | "disconnected"> {
  const sse = new SseResponse(reply, { keepAliveMs: ctx.settings.keepAliveMs });
  if (opts.before) sse.write(opts.before);
  let pending = opts.after;
  if (pending && pending[0] < 0) {
    sse.write(pending[1]);
    pending = undefined;
  }
  const frame = (ev: RunEvent) => {
    let out = agnoFrame(ev.event, agnoEvent(ev, opts.withIndex));
    if (pending && ev.event_index >= pending[0]) {
      out += pending[1];
      pending = undefined;
    }
    return out;
  };
  const only = opts.essentialOnly;
  const source = only
    ? filterEvents(events(sse.signal), (ev) => isEssentialEvent(ev, only.rootRunId))
    : events(sse.signal);
  return pipeEvents(sse, source, frame);
}

/** The batches with only the events that pass `keep`; empty batches are skipped. */
async function* filterEvents(
  batches: AsyncGenerator<RunEvent[]>,
  keep: (ev: RunEvent) => boolean,
): AsyncGenerator<RunEvent[]> {
  try {
    for await (const batch of batches) {
      const kept = batch.filter(keep);
      if (kept.length) yield kept;
    }
  } finally {
    await batches.return(undefined);
  }
}
