import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import type { Logger } from "pino";
import { slugify } from "../agent/slug.js";
import { errorMessage } from "../errors.js";
// Not the knowledge index: readers, chunkers and fetching load with the first content.
import { IngestionQueue } from "../knowledge/ingestion-queue.js";
import type { Knowledge } from "../knowledge/knowledge.js";
import { KnowledgeRegistry } from "../knowledge/registry.js";
import type { Runnable } from "../run/index.js";
import { RetentionSweeper, RunManager } from "../runtime/index.js";
import { RedisRateLimitCounter, RedisRunBus } from "../runtime/redis/index.js";
import { ReplicaSweeper } from "../runtime/replica-sweeper.js";
import type { RunBus } from "../runtime/index.js";
import type { Store } from "../storage/index.js";
import { PostgresDb, SqliteDb } from "../storage/index.js";
import type { AuthSettings, Authenticator } from "../server/auth/index.js";
import { createAuthenticator, mergeAuthSettings } from "../server/auth/index.js";
import type { ServerContext } from "../server/context.js";
import { parseCorsOrigins, withDefaultOrigins } from "../server/http/cors.js";
import type { BodyLimits } from "../server/http/form-body.js";
import { MemoryRateLimitCounter, RateLimiter, parseRateLimit } from "../server/rate-limit/index.js";
import type { RateLimitCounter, RateLimitSpec } from "../server/rate-limit/index.js";
import type { RouteDef } from "../server/route.js";
import { RunLog } from "../telemetry/logging/index.js";
import { Prometheus } from "../telemetry/prometheus/index.js";
import { Tracing } from "../telemetry/tracing/index.js";
import type { TracingSettings } from "../telemetry/tracing/index.js";
import { ComponentRegistry } from "./components.js";
import { agnoPrefix, readEnvConfig } from "./config.js";
import type { Env, EnvConfig } from "./config.js";

const VERSION = "0.1.0";

export interface AgentOSOptions {
  /** Reported as os_id. Default: a slug of the name. */
  id?: string;
  name?: string;
  description?: string;
  version?: string;
  agents?: Runnable[];
  teams?: Runnable[];
  workflows?: Runnable[];
  /** Knowledge bases served under /knowledge besides those attached to agents (which are found on their own). */
  knowledge?: Knowledge[];
  /** Where sessions and runs are kept. Default: PostgreSQL at AGENTOS_DB_URL if set, else SQLite at AGENTOS_DB_FILE (agentos.db). */
  db?: Store;
  logger?: Logger;
  /** Upload limits. Defaults: 10 MiB a file, 50 MiB a request (or the env variables). */
  limits?: Partial<BodyLimits>;
  /** Serve /docs and /openapi.json. Default true. */
  docs?: boolean;
  /** SSE keep-alive interval. Default 15 s. */
  sseKeepAliveMs?: number;
  /** Model strings listed in /config. Default: the models of the agents. */
  availableModels?: string[];
  /**
   * A custom authenticator, or auth settings: `{ securityKey }` or `{ jwt: {...} }`. Settings win over
   * OS_SECURITY_KEY and JWT_* one by one; with a JWT key source set, JWT is the mode.
   */
  auth?: Authenticator | AuthSettings;
  /** Origins CORS allows; `["*"]` allows any, without credentials. Default AGENTOS_CORS_ORIGINS or http://localhost:3000. */
  corsOrigins?: string[];
  /** Requests per caller: `"60/minute"` or `{ limit, windowMs }`; false turns off AGENTOS_RATE_LIMIT. Default off. */
  rateLimit?: string | RateLimitSpec | false;
  /** Where rate-limit counts live. Default: this process's memory. */
  rateLimitCounter?: RateLimitCounter;
  /** Which proxies' X-Forwarded-For gives the client address (for per-IP limits and logs). Default AGENTOS_TRUST_PROXY (false). */
  trustProxy?: boolean | number | string[];
  /** How live runs are shared between processes. Default: a RedisRunBus at AGENTOS_REDIS_URL if set, else this process only. */
  bus?: RunBus;
  /** This replica's id (with a shared bus). Default AGENTOS_REPLICA_ID, else host name, pid and a random part. */
  replicaId?: string;
  /** Keep run events for replay. Default true. */
  storeEvents?: boolean;
  /** Events of a live run kept in memory for its readers; older ones are read back from the store. Default 10,000. */
  eventBufferSize?: number;
  /** How long the events of an ended run stay replayable, in hours. Default 24 (AGENTOS_EVENT_RETENTION_HOURS). */
  eventRetentionHours?: number;
  /** How long an Idempotency-Key of a run request is remembered, in hours. Default 24 (AGENTOS_IDEMPOTENCY_KEY_HOURS). */
  idempotencyKeyHours?: number;
  /**
   * OpenTelemetry tracing of runs into the OS database (and OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT
   * is set); false turns it off. Default AGENTOS_TRACING (true).
   */
  tracing?: boolean | Partial<TracingSettings>;
  /** How long traces are kept, in days. Default 30 (AGENTOS_TRACE_RETENTION_DAYS). */
  traceRetentionDays?: number;
  /** Where settings not given here come from. Default process.env. */
  env?: Env;
  /** Path prefix of the Agno-compatible surface, or false to turn it off. Default AGENTOS_AGNO_PREFIX or "/agno". */
  agnoPrefix?: string | false;
}

export interface ServeOptions {
  port?: number;
  host?: string;
  /** Shut down gracefully on SIGTERM and SIGINT. Default true. */
  handleSignals?: boolean;
}

/**
 * Serves agents, teams and workflows over HTTP. Construction checks the definitions and does
 * no I/O; `start()` migrates the database and builds the server, `serve()` also listens.
 */
export class AgentOS {
  readonly id: string;
  readonly name: string;
  readonly components: ComponentRegistry;
  readonly store: Store;
  readonly runs: RunManager;
  /** Deletes expired run events and idempotency keys while the OS runs. */
  readonly retention: RetentionSweeper;
  readonly config: EnvConfig;
  readonly logger: Logger;
  readonly knowledge: KnowledgeRegistry;
  /** Background ingestion of knowledge content (bounded concurrency, AGENTOS_INGEST_CONCURRENCY). */
  readonly ingestion: IngestionQueue;
  /** Spans of every run, stored in the OS database (and exported over OTLP when configured). */
  readonly tracing: Tracing;
  /** Prometheus series of this OS (GET /metrics/prometheus). */
  readonly prometheus: Prometheus;
  /** With a shared bus (several replicas): this replica's heartbeat and the sweep of dead replicas' runs. */
  readonly replicas: ReplicaSweeper | undefined;
  #options: AgentOSOptions;
  #started: Promise<{ app: FastifyInstance; routes: RouteDef[] }> | undefined;
  #closing: Promise<void> | undefined;
  #preloading: Promise<void> = Promise.resolve();

  constructor(options: AgentOSOptions = {}) {
    this.#options = options;
    this.config = readEnvConfig(options.env ?? process.env);
    this.name = options.name ?? "AgentOS";
    this.id = options.id ?? slugify(this.name);
    this.components = new ComponentRegistry([
      ...(options.agents ?? []),
      ...(options.teams ?? []),
      ...(options.workflows ?? []),
    ]);
    this.logger = options.logger ?? pino({ level: this.config.logLevel });
    this.store =
      options.db ??
      (this.config.dbUrl
        ? new PostgresDb({ url: this.config.dbUrl })
        : new SqliteDb({ file: this.config.dbFile }));
    const t = options.tracing;
    this.tracing = new Tracing(
      {
        enabled:
          t === false
            ? false
            : typeof t === "object"
              ? (t.enabled ?? true)
              : t === true || this.config.tracing,
        otlpUrl: (typeof t === "object" ? t.otlpUrl : undefined) ?? this.config.otlpTracesUrl,
        batchDelayMs: typeof t === "object" ? t.batchDelayMs : undefined,
        serviceName: (typeof t === "object" ? t.serviceName : undefined) ?? this.config.serviceName,
        otlpTimeoutMs: typeof t === "object" ? t.otlpTimeoutMs : undefined,
        sampler: (typeof t === "object" ? t.sampler : undefined) ?? this.config.tracesSampler,
        thread: (typeof t === "object" ? t.thread : undefined) ?? this.config.tracingThread,
      },
      this.store,
      this.logger,
    );
    this.prometheus = new Prometheus(() => this.runs.size);
    const replicaId = options.replicaId ?? this.config.replicaId ?? defaultReplicaId();
    const bus =
      options.bus ??
      (this.config.redisUrl
        ? new RedisRunBus({ url: this.config.redisUrl, replicaId, logger: this.logger })
        : undefined);
    // A bus that queues sessions itself is shared: runs are owned per replica, not per database.
    const shared = !!bus?.enterSession;
    this.runs = new RunManager({
      observers: [this.tracing, this.prometheus, new RunLog(this.logger)],
      store: this.store,
      bus,
      replicaId: shared ? replicaId : undefined,
      logger: this.logger,
      storeEvents: options.storeEvents,
      bufferSize: options.eventBufferSize,
    });
    this.retention = new RetentionSweeper({
      store: this.store,
      eventRetentionMs: (options.eventRetentionHours ?? this.config.eventRetentionHours) * 3_600_000,
      traceRetentionMs: (options.traceRetentionDays ?? this.config.traceRetentionDays) * 86_400_000,
      logger: this.logger,
    });
    this.replicas = shared
      ? new ReplicaSweeper({
          store: this.store,
          replicaId,
          graceMs: this.config.replicaGraceSeconds * 1000,
          isLive: (runId) => !!this.runs.get(runId),
          logger: this.logger,
        })
      : undefined;
    this.knowledge = new KnowledgeRegistry(
      KnowledgeRegistry.discover(options.knowledge ?? [], this.components.all()),
      this.store,
    );
    this.ingestion = new IngestionQueue({ concurrency: this.config.ingestConcurrency, logger: this.logger });
  }

  /** Migrates the database, marks runs a crash left unfinished, and builds the server. Idempotent. */
  start(): Promise<{ app: FastifyInstance; routes: RouteDef[] }> {
    this.#started ??= this.#start().catch((err) => {
      this.#started = undefined;
      throw err;
    });
    return this.#started;
  }

  /** The Fastify instance (for `inject` in tests, or mounting). */
  async app(): Promise<FastifyInstance> {
    return (await this.start()).app;
  }

  /** Starts and listens; resolves with the URL. */
  async serve(options: ServeOptions = {}): Promise<string> {
    const { app } = await this.start();
    const url = await app.listen({
      port: options.port ?? this.config.port,
      host: options.host ?? this.config.host,
    });
    if (options.handleSignals ?? true) {
      const stop = (signal: string) => {
        this.logger.info({ signal }, "shutting down");
        void this.close().then(() => process.exit(0));
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    }
    return url;
  }

  /**
   * Refuses new runs, lets live ones finish for AGENTOS_DRAIN_SECONDS, cancels the rest,
   * stores everything, then closes the server and the database.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.runs.refuseNewRuns();
      await this.runs.drain(this.config.drainSeconds * 1000);
      const started = await this.#started?.catch(() => undefined);
      await started?.app.close();
      await this.retention.stop();
      await this.replicas?.stop();
      await this.#preloading; // stops at the next content once closing
      await this.ingestion.close(this.config.drainSeconds * 1000);
      await this.runs.close();
      await this.tracing
        .shutdown()
        .catch((err: unknown) => this.logger.warn({ err }, "could not flush traces"));
      await this.runs.bus.close();
      for (const store of this.knowledge.stores()) if (store !== this.store) await store.close();
      await this.store.close();
    })();
    return this.#closing;
  }

  async #start() {
    const o = this.#options;
    await this.runs.bus.start?.();
    await this.store.migrate();
    for (const note of (await this.store.notes?.()) ?? []) this.logger.warn(note);
    // Several replicas: the others' runs go on; a dead replica's runs are ended by the sweeper.
    if (this.replicas) await this.replicas.start();
    const failed = this.replicas ? [] : await this.store.runs.failUnfinished("interrupted by restart");
    if (failed.length)
      this.logger.warn(
        { runs: failed.length },
        "runs left unfinished by a previous process were marked ERROR",
      );
    for (const store of this.knowledge.stores()) {
      if (store !== this.store) await store.migrate();
      const lost = await store.knowledge.failUnfinished(
        "interrupted by a restart before processing finished; add the content again",
      );
      if (lost.length)
        this.logger.warn(
          { contents: lost.length },
          "knowledge content left unfinished by a previous process was marked failed",
        );
    }
    this.retention.start();
    await this.tracing.start(o.version ?? VERSION);
    await this.prometheus.start();
    const auth = isAuthenticator(o.auth)
      ? o.auth
      : await createAuthenticator(mergeAuthSettings(this.config.auth, o.auth), this.logger);
    if (auth.mode === "none")
      this.logger.warn("no authentication configured: every caller may use every route");
    const corsOrigins = o.corsOrigins
      ? withDefaultOrigins(parseCorsOrigins(o.corsOrigins.join(",")))
      : this.config.corsOrigins;
    if (corsOrigins.includes("*"))
      this.logger.warn("CORS allows any origin ('*'): browsers will not send credentials cross-origin");
    const rateLimit =
      o.rateLimit === false
        ? undefined
        : typeof o.rateLimit === "string"
          ? parseRateLimit(o.rateLimit)
          : (o.rateLimit ?? this.config.rateLimit);
    const ctx: ServerContext = {
      os: { id: this.id, name: this.name, description: o.description ?? null, version: o.version ?? VERSION },
      components: this.components,
      store: this.store,
      runs: this.runs,
      auth,
      rateLimiter: rateLimit && new RateLimiter(rateLimit, o.rateLimitCounter ?? this.#defaultCounter()),
      logger: this.logger,
      knowledge: this.knowledge,
      ingestion: this.ingestion,
      prometheus: this.prometheus.metrics,
      connections: this.prometheus.connections,
      settings: {
        limits: {
          maxFileBytes: o.limits?.maxFileBytes ?? this.config.maxFileBytes,
          maxRequestBytes: o.limits?.maxRequestBytes ?? this.config.maxRequestBytes,
          maxFiles: o.limits?.maxFiles ?? 20,
        },
        keepAliveMs: o.sseKeepAliveMs ?? this.config.keepAliveMs,
        idempotencyKeyTtlMs: (o.idempotencyKeyHours ?? this.config.idempotencyKeyHours) * 3_600_000,
        corsOrigins,
        trustProxy: o.trustProxy ?? this.config.trustProxy,
        docs: o.docs ?? this.config.docs,
        agnoPrefix: o.agnoPrefix === undefined ? this.config.agnoPrefix : agnoPrefix(o.agnoPrefix),
        availableModels: o.availableModels ?? [
          ...new Set(
            this.components
              .list("agent")
              .map((a) => a.info().model)
              .filter((m): m is string => !!m),
          ),
        ],
      },
    };
    // Fastify and its plugins load only when a server is wanted.
    const { buildApp } = await import("../server/app.js");
    const built = await buildApp(ctx);
    this.#preloading = this.#preload();
    return built;
  }

  /** Rate-limit counts are shared through Redis when the bus is Redis, else kept in this process. */
  #defaultCounter(): RateLimitCounter {
    const bus = this.runs.bus;
    return bus instanceof RedisRunBus
      ? new RedisRateLimitCounter(() => bus.redis, bus.prefix)
      : new MemoryRateLimitCounter();
  }

  /** Resolves once the knowledge bases' preload content is queued and all queued content is processed. */
  async ingestionSettled(): Promise<void> {
    await this.#preloading;
    await this.ingestion.idle();
  }

  /** Queues the knowledge bases' preload content; startup does not wait for it. */
  async #preload(): Promise<void> {
    for (const base of this.knowledge.list()) {
      const { preload } = base.knowledge.options;
      if (!preload) continue;
      try {
        for (const input of typeof preload === "function" ? await preload() : preload) {
          if (this.#closing) return;
          try {
            base.enqueue(await base.add(input), this.ingestion);
          } catch (err) {
            this.logger.warn({ knowledge_id: base.id, err: errorMessage(err) }, "could not preload content");
          }
        }
      } catch (err) {
        this.logger.warn(
          { knowledge_id: base.id, err: errorMessage(err) },
          "could not list the content to preload",
        );
      }
    }
  }
}

function defaultReplicaId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

function isAuthenticator(auth: Authenticator | AuthSettings | undefined): auth is Authenticator {
  return typeof (auth as Authenticator | undefined)?.authenticate === "function";
}
