import { NotFoundError } from "../../errors.js";
import type { SpanRecord, TraceQuery, TraceRecord } from "../../storage/index.js";
import { actingUserId, visibleRecord } from "../auth/index.js";
import type { Principal } from "../auth/index.js";
import type { ServerContext } from "../context.js";

export interface TraceWithSpans {
  trace: TraceRecord;
  spans: SpanRecord[];
}

const notFound = () => new NotFoundError("Trace not found", "trace");

/** Stored traces as the caller may see them: a non-admin sees only traces of their own runs. */
export class TraceService {
  constructor(private readonly ctx: ServerContext) {}

  async list(
    principal: Principal,
    query: Omit<TraceQuery, "userId"> & { userId?: string },
  ): Promise<{ traces: TraceWithSpans[]; nextCursor: string | null }> {
    const userId = actingUserId(principal, query.userId);
    const page = await this.ctx.store.traces.list({ ...query, userId });
    const spans = await this.ctx.store.traces.spans(page.traces.map((t) => t.trace_id));
    const byTrace = new Map<string, SpanRecord[]>();
    for (const s of spans) {
      const list = byTrace.get(s.trace_id) ?? [];
      list.push(s);
      byTrace.set(s.trace_id, list);
    }
    return {
      traces: page.traces.map((trace) => ({ trace, spans: byTrace.get(trace.trace_id) ?? [] })),
      nextCursor: page.nextCursor,
    };
  }

  async get(principal: Principal, traceId: string): Promise<TraceWithSpans> {
    const trace = visibleRecord(principal, await this.ctx.store.traces.get(traceId), notFound);
    return { trace, spans: await this.ctx.store.traces.spans([traceId]) };
  }
}
