import { readAuthEnv } from "../server/auth/index.js";
import type { AuthSettings } from "../server/auth/index.js";
import { parseCorsOrigins, withDefaultOrigins } from "../server/http/cors.js";
import { parseRateLimit } from "../server/rate-limit/index.js";
import type { RateLimitSpec } from "../server/rate-limit/index.js";
import { otlpTracesUrl } from "../telemetry/tracing/tracing.js";
import { readSampler } from "../telemetry/tracing/sampler-settings.js";
import type { SamplerSettings } from "../telemetry/tracing/sampler-settings.js";

/** Settings read from the environment; code options win over them. Every variable is in the README. */
export interface EnvConfig {
  port: number;
  host: string;
  dbFile: string;
  /** postgres://… : use PostgreSQL instead of the SQLite file. */
  dbUrl: string | undefined;
  /** redis://… : coordinate live runs between replicas through Redis. */
  redisUrl: string | undefined;
  /** This replica's id (several replicas). Default: host name, process id and a random part. */
  replicaId: string | undefined;
  /** How long a silent replica's runs wait before they are marked ERROR by the others. */
  replicaGraceSeconds: number;
  logLevel: string;
  maxFileBytes: number;
  maxRequestBytes: number;
  keepAliveMs: number;
  docs: boolean;
  drainSeconds: number;
  eventRetentionHours: number;
  idempotencyKeyHours: number;
  /** OS_SECURITY_KEY and JWT_*. */
  auth: AuthSettings;
  corsOrigins: string[];
  /** AGENTOS_RATE_LIMIT; absent: no limit. */
  rateLimit: RateLimitSpec | undefined;
  trustProxy: boolean | number | string[];
  ingestConcurrency: number;
  /** AGENTOS_AGNO_PREFIX: where the Agno-compatible surface is served; null turns it off. */
  agnoPrefix: string | null;
  /** AGENTOS_TRACING (default true). */
  tracing: boolean;
  /** AGENTOS_TRACING_THREAD (default true): with a SQLite file, make and store spans on a thread of their own. */
  tracingThread: boolean;
  /** From OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT; absent: no OTLP export. */
  otlpTracesUrl: string | undefined;
  /** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG. Default parentbased_always_on. */
  tracesSampler: SamplerSettings;
  /** OTEL_SERVICE_NAME: the service.name of exported spans. Default "agentos". */
  serviceName: string;
  traceRetentionDays: number;
}

export type Env = Record<string, string | undefined>;

export function readEnvConfig(env: Env): EnvConfig {
  return {
    port: int(env, "PORT", 7777, 0, 65535),
    host: env.HOST || "localhost",
    dbFile: env.AGENTOS_DB_FILE || "agentos.db",
    dbUrl: dbUrl(env.AGENTOS_DB_URL),
    redisUrl: redisUrl(env.AGENTOS_REDIS_URL),
    replicaId: env.AGENTOS_REPLICA_ID || undefined,
    replicaGraceSeconds: int(env, "AGENTOS_REPLICA_GRACE_SECONDS", 30, 1, 3600),
    logLevel: env.LOG_LEVEL || "info",
    maxFileBytes: int(env, "AGENTOS_MAX_FILE_BYTES", 10 * 1024 * 1024, 1),
    maxRequestBytes: int(env, "AGENTOS_MAX_REQUEST_BYTES", 50 * 1024 * 1024, 1),
    keepAliveMs: int(env, "AGENTOS_SSE_KEEPALIVE_MS", 15_000, 100),
    docs: bool(env, "AGENTOS_DOCS", true),
    drainSeconds: int(env, "AGENTOS_DRAIN_SECONDS", 30, 0),
    eventRetentionHours: int(env, "AGENTOS_EVENT_RETENTION_HOURS", 24, 1),
    idempotencyKeyHours: int(env, "AGENTOS_IDEMPOTENCY_KEY_HOURS", 24, 1),
    auth: readAuthEnv(env),
    corsOrigins: withDefaultOrigins(
      env.AGENTOS_CORS_ORIGINS ? parseCorsOrigins(env.AGENTOS_CORS_ORIGINS) : [],
    ),
    rateLimit: env.AGENTOS_RATE_LIMIT ? parseRateLimit(env.AGENTOS_RATE_LIMIT) : undefined,
    trustProxy: trustProxy(env.AGENTOS_TRUST_PROXY),
    ingestConcurrency: int(env, "AGENTOS_INGEST_CONCURRENCY", 2, 1, 64),
    agnoPrefix: agnoPrefix(env.AGENTOS_AGNO_PREFIX),
    tracing: bool(env, "AGENTOS_TRACING", true),
    tracingThread: bool(env, "AGENTOS_TRACING_THREAD", true),
    otlpTracesUrl: otlpTracesUrl(env),
    tracesSampler: readSampler(env),
    serviceName: env.OTEL_SERVICE_NAME?.trim() || "agentos",
    traceRetentionDays: int(env, "AGENTOS_TRACE_RETENTION_DAYS", 30, 1),
  };
}

function dbUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw))
    throw new Error(`AGENTOS_DB_URL must be a postgres:// URL, got '${raw.replace(/\/\/[^@]*@/, "//…@")}'`);
  return raw;
}

function redisUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^rediss?:\/\//.test(raw))
    throw new Error(`AGENTOS_REDIS_URL must be a redis:// URL, got '${raw.replace(/\/\/[^@]*@/, "//…@")}'`);
  return raw;
}

function int(env: Env, name: string, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer between ${min} and ${max}, got '${raw}'`);
  return n;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return def;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got '${env[name]}'`);
}

/** `true`/`false`, a hop count, or a comma-separated list of proxy addresses or CIDRs. */
function trustProxy(raw: string | undefined): boolean | number | string[] {
  const text = raw?.trim() ?? "";
  if (text === "" || /^(false|0|no|off)$/i.test(text)) return false;
  if (/^(true|yes|on)$/i.test(text)) return true;
  if (/^\d+$/.test(text)) return Number(text);
  return text
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
}

/** `/agno` by default; `off`/`false`/`none` turns the surface off; any other value must be a path like `/compat`. */
export function agnoPrefix(raw: string | false | undefined): string | null {
  if (raw === false) return null;
  const text = raw?.trim() ?? "";
  if (text === "") return "/agno";
  if (/^(off|false|none|0|no)$/i.test(text)) return null;
  const path = text.replace(/\/+$/, "");
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(path))
    throw new Error(`AGENTOS_AGNO_PREFIX must be a path such as /agno (or off), got '${raw}'`);
  return path;
}
