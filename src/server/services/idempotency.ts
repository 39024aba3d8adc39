import { createHash } from "node:crypto";
import { z } from "zod";
import { ConflictError } from "../../errors.js";
import type { ComponentKind } from "../../run/index.js";
import type { LiveRun } from "../../runtime/index.js";
import type { ServerContext } from "../context.js";
import type { UploadedFile } from "../http/form-body.js";

/** The Idempotency-Key header: 1 to 255 visible ASCII characters. */
export const idempotencyKeyHeader = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, "must be 1 to 255 visible ASCII characters")
  .optional();

/** A run request's outcome: the run started now, or the one an earlier request with the same key started. */
export interface RunOnce {
  runId: string;
  sessionId: string;
  /** The run, when it is live in this process. */
  live?: LiveRun;
  /** True when this is a retry answered with the first request's run. */
  replayed: boolean;
}

const WAIT_MS = 25;
/** How long a retry waits for the first request's run to appear before answering 409. */
const WAIT_FOR_RUN_MS = 5000;

/**
 * Idempotency-Key handling for run creation: the first request with a key starts the run and records
 * it in the database (so it holds across processes); the same request again gets that run; another
 * request under the key is 409. Keys are scoped to the caller and the component and expire.
 */
export class IdempotentRuns {
  constructor(
    private readonly ctx: ServerContext,
    private readonly ttlMs: number,
  ) {}

  /**
   * Starts the run once per key. `start` receives the run and session ids to use; if it throws
   * (the request is refused), the key is freed and nothing of it stays.
   */
  async once(
    req: { kind: ComponentKind; componentId: string; userId: string | undefined; key: string; hash: string },
    ids: { runId: string; sessionId: string },
    start: () => Promise<LiveRun>,
  ): Promise<RunOnce> {
    const store = this.ctx.store.idempotency;
    const scope = `${req.kind}:${req.componentId}:${req.userId ?? ""}`;
    const deadline = Date.now() + WAIT_FOR_RUN_MS;
    for (;;) {
      const now = Date.now();
      const { claimed, record } = await store.claim({
        scope,
        key: req.key,
        request_hash: req.hash,
        run_id: ids.runId,
        session_id: ids.sessionId,
        created_at: now,
        expires_at: now + this.ttlMs,
      });
      if (claimed) {
        try {
          return { ...ids, live: await start(), replayed: false };
        } catch (err) {
          await store.release(scope, req.key, ids.runId).catch((e: unknown) => {
            this.ctx.logger.error({ err: e, key: req.key }, "could not free an idempotency key");
          });
          throw err;
        }
      }
      if (record.request_hash !== req.hash)
        throw new ConflictError("This Idempotency-Key was already used with a different request");
      const live = this.ctx.runs.get(record.run_id);
      if (live || (await this.ctx.store.runs.get(record.run_id)))
        return { runId: record.run_id, sessionId: record.session_id, live, replayed: true };
      // The first request has claimed the key but its run is not visible yet (or it was refused and frees the key).
      if (Date.now() >= deadline)
        throw new ConflictError("A request with this Idempotency-Key is still in progress; retry it later");
      await new Promise((r) => setTimeout(r, WAIT_MS));
    }
  }
}

/** A digest of a run request: its validated fields (in a stable order) and its files. */
export function requestHash(fields: unknown, files: readonly UploadedFile[]): string {
  const h = createHash("sha256");
  h.update(stableJson(fields));
  for (const f of files) {
    h.update(`\0${f.field}\0${f.filename}\0${f.mimetype}\0`);
    h.update(f.data);
  }
  return h.digest("hex");
}

function stableJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
}
