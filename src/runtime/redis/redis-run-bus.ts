import type { Redis, RedisOptions } from "ioredis";
import type { Logger } from "pino";
import { UnavailableError, errorMessage } from "../../errors.js";
import type { RunEvent } from "../../run/index.js";
import type { RunBus } from "../run-bus.js";
import { ENTER_SESSION, IS_TURN, SESSION_RUNS } from "./redis-scripts.js";

export interface RedisRunBusOptions {
  /** redis://host:6379/0 */
  url: string;
  /** Prefix of every key and channel, so that several deployments can share one Redis. Default "agentos". */
  prefix?: string;
  /** Identifies this replica in the leases it holds. */
  replicaId: string;
  /** A session lease not renewed for this long is taken as dead. Default 10 000 ms; renewed every third of it. */
  leaseMs?: number;
  /** Events kept per run stream (approximately). Default 10 000. */
  streamMaxLen?: number;
  /** How long a run's event stream stays after its last event. Default 1 hour. */
  streamTtlMs?: number;
  logger?: Logger;
}

/** How often a waiting run looks whether its turn came. */
const TURN_POLL_MS = 25;
/** Blocking reads kept open for followers at most this long, so an abandoned one frees its connection soon. */
const FOLLOW_BLOCK_MS = 1_000;

/**
 * The RunBus of replicas sharing one Redis: cancel requests by pub/sub, each run's events in a
 * bounded stream with a TTL (any replica can serve a reattach), and session turns as a queue in a
 * sorted set whose members hold leases renewed by heartbeat (a dead replica's runs drop out).
 * Nothing connects until `start()`.
 */
export class RedisRunBus implements RunBus {
  readonly replicaId: string;
  readonly #o: Required<Omit<RedisRunBusOptions, "logger">>;
  readonly #logger?: Logger;
  #cmd: Redis | undefined;
  #sub: Redis | undefined;
  #blocking: Redis[] = [];
  #allBlocking = new Set<Redis>();
  #cancelHandlers = new Set<(runId: string, reason: string) => void>();
  /** Runs of this replica in a session queue: run id -> session id (their leases are renewed). */
  #held = new Map<string, string>();
  #pending = new Map<string, RunEvent[]>();
  #flushScheduled = false;
  #flushing: Promise<void> = Promise.resolve();
  #heartbeat: NodeJS.Timeout | undefined;
  #starting: Promise<void> | undefined;
  #closed = false;
  #lastPublishWarning = 0;

  constructor(options: RedisRunBusOptions) {
    if (!/^rediss?:\/\//.test(options.url)) throw new TypeError("RedisRunBus needs a redis:// URL");
    this.replicaId = options.replicaId;
    this.#o = {
      url: options.url,
      prefix: options.prefix ?? "agentos",
      replicaId: options.replicaId,
      leaseMs: options.leaseMs ?? 10_000,
      streamMaxLen: options.streamMaxLen ?? 10_000,
      streamTtlMs: options.streamTtlMs ?? 3_600_000,
    };
    this.#logger = options.logger;
  }

  /** Connects (the command and subscriber connections) and starts renewing leases. Idempotent. */
  start(): Promise<void> {
    this.#starting ??= this.#start().catch((err) => {
      this.#starting = undefined;
      throw err;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    const { Redis } = await import("ioredis");
    const options: RedisOptions = {
      lazyConnect: true,
      // Fail a command quickly while Redis is away (a clear 503), instead of queueing it for ever.
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(times * 100, 1_000),
    };
    this.#cmd = new Redis(this.#o.url, options);
    this.#sub = new Redis(this.#o.url, { ...options, maxRetriesPerRequest: null });
    for (const c of [this.#cmd, this.#sub])
      c.on("error", (err) => this.#logger?.warn({ err: errorMessage(err) }, "redis connection error"));
    this.#cmd.defineCommand("agentosEnter", { numberOfKeys: 1, lua: ENTER_SESSION });
    this.#cmd.defineCommand("agentosTurn", { numberOfKeys: 1, lua: IS_TURN });
    this.#cmd.defineCommand("agentosSessionRuns", { numberOfKeys: 1, lua: SESSION_RUNS });
    await this.#cmd.connect();
    await this.#sub.connect();
    this.#sub.on("message", (_channel: string, message: string) => {
      try {
        const { runId, reason } = JSON.parse(message) as { runId: string; reason: string };
        for (const h of this.#cancelHandlers) h(runId, reason);
      } catch (err) {
        this.#logger?.warn({ err: errorMessage(err) }, "ignored a malformed cancel message");
      }
    });
    // ioredis subscribes again on its own after a reconnect.
    await this.#sub.subscribe(this.#key("cancel"));
    const every = Math.max(50, Math.floor(this.#o.leaseMs / 3));
    this.#heartbeat = setInterval(() => void this.#renew(), every);
    this.#heartbeat.unref();
  }

  /** The prefix of every key and channel of this bus. */
  get prefix(): string {
    return this.#o.prefix;
  }

  /** The command connection (shared with the rate-limit counter). */
  get redis(): Redis {
    if (!this.#cmd) throw new UnavailableError("Redis is not connected (the bus was not started)");
    return this.#cmd;
  }

  async ping(): Promise<void> {
    await this.#call(() => this.redis.ping());
  }

  async publishCancel(runId: string, reason: string): Promise<void> {
    await this.#call(() => this.redis.publish(this.#key("cancel"), JSON.stringify({ runId, reason })));
  }

  onCancel(handler: (runId: string, reason: string) => void): () => void {
    this.#cancelHandlers.add(handler);
    return () => this.#cancelHandlers.delete(handler);
  }

  async enterSession(sessionId: string, runId: string, exclusive: boolean): Promise<boolean> {
    const entered = await this.#call(() =>
      this.#script(
        "agentosEnter",
        this.#queue(sessionId),
        this.#leasePrefix(),
        runId,
        this.replicaId,
        this.#o.leaseMs,
        exclusive ? "1" : "0",
      ),
    );
    if (entered === 1) this.#held.set(runId, sessionId);
    return entered === 1;
  }

  async leaveSession(sessionId: string, runId: string): Promise<void> {
    this.#held.delete(runId);
    await this.#call(() =>
      this.redis
        .multi()
        .zrem(this.#queue(sessionId), runId)
        .del(this.#leasePrefix() + runId)
        .exec(),
    );
  }

  async acquireSession(sessionId: string, runId: string, signal: AbortSignal): Promise<() => void> {
    await this.enterSession(sessionId, runId, false);
    const release = () => {
      void this.leaveSession(sessionId, runId).catch((err: unknown) =>
        // The lease expires on its own: the next run waits at most one lease period.
        this.#logger?.warn({ err: errorMessage(err), run_id: runId }, "could not leave the session queue"),
      );
    };
    for (;;) {
      // A run cancelled while queued starts at once: it only records its cancellation, never the model.
      if (signal.aborted) return release;
      const turn = await this.#call(() =>
        this.#script("agentosTurn", this.#queue(sessionId), this.#leasePrefix(), runId),
      );
      if (turn === 1) return release;
      await sleep(TURN_POLL_MS, signal);
    }
  }

  async sessionRuns(sessionId: string): Promise<string[]> {
    return (await this.#call(() =>
      this.#script("agentosSessionRuns", this.#queue(sessionId), this.#leasePrefix()),
    )) as string[];
  }

  /** Adds events to the run's stream; they are written in one pipeline per turn of the event loop. */
  publishEvents(runId: string, events: RunEvent[]): void {
    if (!this.#cmd || this.#closed) return;
    let list = this.#pending.get(runId);
    if (!list) this.#pending.set(runId, (list = []));
    list.push(...events);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => void this.#flushEvents());
    }
  }

  /**
   * The events of `runId` after `afterIndex` found in its stream, waiting up to a second for some.
   * Empty when none came (or the stream is gone); the caller fills any gap from the event store.
   */
  async follow(runId: string, afterIndex: number, signal?: AbortSignal): Promise<RunEvent[]> {
    if (signal?.aborted) return [];
    const conn = await this.#blockingConnection();
    try {
      const res = (await conn.xread(
        "COUNT",
        500,
        "BLOCK",
        FOLLOW_BLOCK_MS,
        "STREAMS",
        this.#stream(runId),
        streamId(afterIndex),
      )) as [string, [string, string[]][]][] | null;
      this.#blocking.push(conn);
      const entries = res?.[0]?.[1] ?? [];
      return entries.map(([, fields]) => JSON.parse(fields[1]) as RunEvent);
    } catch (err) {
      this.#allBlocking.delete(conn);
      conn.disconnect();
      throw unavailable(err);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#cancelHandlers.clear();
    await this.#flushEvents().catch(() => {});
    for (const c of this.#allBlocking) c.disconnect();
    this.#allBlocking.clear();
    this.#blocking = [];
    await Promise.allSettled([this.#sub?.quit(), this.#cmd?.quit()]);
    this.#sub = this.#cmd = undefined;
  }

  async #flushEvents(): Promise<void> {
    this.#flushScheduled = false;
    const batch = this.#pending;
    this.#pending = new Map();
    if (!batch.size || !this.#cmd) return this.#flushing;
    const cmd = this.#cmd;
    this.#flushing = this.#flushing.then(async () => {
      const p = cmd.pipeline();
      for (const [runId, events] of batch) {
        const key = this.#stream(runId);
        for (const ev of events)
          p.xadd(key, "MAXLEN", "~", this.#o.streamMaxLen, streamId(ev.event_index), "e", JSON.stringify(ev));
        p.pexpire(key, this.#o.streamTtlMs);
      }
      try {
        const results = (await p.exec()) ?? [];
        const failed = results.find(([err]) => err && !/equal or smaller/.test(err.message));
        if (failed) throw failed[0];
      } catch (err) {
        // Readers elsewhere fill the gap from the event store; the run itself goes on.
        // While Redis is away this fails on every batch: say so once every few seconds.
        const now = Date.now();
        if (now - this.#lastPublishWarning > 5_000) {
          this.#lastPublishWarning = now;
          this.#logger?.warn(
            { err: errorMessage(err), runs: batch.size },
            "could not publish run events to redis",
          );
        }
      }
    });
    return this.#flushing;
  }

  async #renew(): Promise<void> {
    if (!this.#cmd || this.#held.size === 0) return;
    const p = this.#cmd.pipeline();
    for (const runId of this.#held.keys())
      p.set(this.#leasePrefix() + runId, this.replicaId, "PX", this.#o.leaseMs);
    await p
      .exec()
      .catch((err: unknown) =>
        this.#logger?.warn({ err: errorMessage(err) }, "could not renew session leases"),
      );
  }

  async #blockingConnection(): Promise<Redis> {
    const idle = this.#blocking.pop();
    if (idle) return idle;
    const conn = this.redis.duplicate({ lazyConnect: true });
    conn.on("error", () => {});
    this.#allBlocking.add(conn);
    try {
      await conn.connect();
    } catch (err) {
      this.#allBlocking.delete(conn);
      conn.disconnect();
      throw unavailable(err);
    }
    return conn;
  }

  #script(name: string, ...args: (string | number)[]): Promise<unknown> {
    const fn = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[
      name
    ];
    return fn.apply(this.redis, args);
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw unavailable(err);
    }
  }

  #key(name: string): string {
    return `${this.#o.prefix}:${name}`;
  }
  #queue(sessionId: string): string {
    return `${this.#o.prefix}:session:{${sessionId}}:queue`;
  }
  #leasePrefix(): string {
    return `${this.#o.prefix}:lease:`;
  }
  #stream(runId: string): string {
    return `${this.#o.prefix}:run:{${runId}}:events`;
  }
}

/** Event index i is stream entry 0-(i+1): ids then follow the indexes, and a read after i starts at i+1. */
function streamId(index: number): string {
  return `0-${index + 1}`;
}

function unavailable(err: unknown): Error {
  if (err instanceof UnavailableError) return err;
  return new UnavailableError(`Run coordination (Redis) is unreachable: ${errorMessage(err)}`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
