import type { Logger } from "pino";
import type { IngestionQueue, KnowledgeRegistry } from "../knowledge/index.js";
import type { ComponentRegistry } from "../os/components.js";
import type { RunManager } from "../runtime/index.js";
import type { OpenConnections, PrometheusMetrics } from "../telemetry/index.js";
import type { Store } from "../storage/index.js";
import type { Authenticator } from "./auth/index.js";
import type { BodyLimits } from "./http/form-body.js";
import type { RateLimiter } from "./rate-limit/index.js";

export interface OsIdentity {
  id: string;
  name: string;
  description: string | null;
  version: string;
}

export interface ServerSettings {
  limits: BodyLimits;
  /** SSE keep-alive comment after this much silence. */
  keepAliveMs: number;
  /** Serve /docs and /openapi.json. */
  docs: boolean;
  /** Model strings offered in /config. */
  availableModels: string[];
  /** How long an Idempotency-Key of a run request is remembered. */
  idempotencyKeyTtlMs: number;
  /** Origins allowed by CORS; `*` allows any, without credentials. */
  corsOrigins: string[];
  /** Which proxies' X-Forwarded-For to believe for the client address (Fastify's trustProxy). */
  trustProxy: boolean | number | string[];
  /** Where the Agno-compatible surface is served (e.g. "/agno"); null when it is off. */
  agnoPrefix: string | null;
}

/** Everything a route handler may use; one per AgentOS instance. */
export interface ServerContext {
  os: OsIdentity;
  components: ComponentRegistry;
  store: Store;
  runs: RunManager;
  auth: Authenticator;
  /** Present when a rate limit is configured. */
  rateLimiter?: RateLimiter;
  settings: ServerSettings;
  logger: Logger;
  knowledge: KnowledgeRegistry;
  /** Background ingestion of uploaded content. */
  ingestion: IngestionQueue;
  /** Prometheus series (GET /metrics/prometheus, request durations). */
  prometheus?: PrometheusMetrics;
  /** Open SSE responses and WebSockets, counted for Prometheus. */
  connections?: OpenConnections;
}
