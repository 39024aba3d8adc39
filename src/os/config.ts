/** Settings read from the environment; code options win over them. Every variable is in the README. */
export interface EnvConfig {
  port: number;
  host: string;
  dbFile: string;
  logLevel: string;
  maxFileBytes: number;
  maxRequestBytes: number;
  keepAliveMs: number;
  docs: boolean;
  drainSeconds: number;
  ingestConcurrency: number;
}

export type Env = Record<string, string | undefined>;

export function readEnvConfig(env: Env): EnvConfig {
  return {
    port: int(env, "PORT", 7777, 0, 65535),
    host: env.HOST || "localhost",
    dbFile: env.AGENTOS_DB_FILE || "agentos.db",
    logLevel: env.LOG_LEVEL || "info",
    maxFileBytes: int(env, "AGENTOS_MAX_FILE_BYTES", 10 * 1024 * 1024, 1),
    maxRequestBytes: int(env, "AGENTOS_MAX_REQUEST_BYTES", 50 * 1024 * 1024, 1),
    keepAliveMs: int(env, "AGENTOS_SSE_KEEPALIVE_MS", 15_000, 100),
    docs: bool(env, "AGENTOS_DOCS", true),
    drainSeconds: int(env, "AGENTOS_DRAIN_SECONDS", 30, 0),
    ingestConcurrency: int(env, "AGENTOS_INGEST_CONCURRENCY", 2, 1, 64),
  };
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
