import { LazyStore } from "../lazy-store.js";

export interface PostgresDbOptions {
  /** postgres://user:password@host:5432/database */
  url: string;
  /** The id listed under `databases` in /config. Default "agentos-db". */
  id?: string;
  /** Pool size. Default 10. */
  maxConnections?: number;
  /** Server-side limit per statement. Default 30 000 ms. */
  statementTimeoutMs?: number;
  /** How long to wait for a connection. Default 5 000 ms. */
  connectionTimeoutMs?: number;
  /** Idle connections are closed after this. Default 30 000 ms. */
  idleTimeoutMs?: number;
}

/** PostgreSQL storage for several replicas. Nothing is loaded or connected until first use. */
export class PostgresDb extends LazyStore {
  constructor(options: PostgresDbOptions) {
    if (!/^postgres(ql)?:\/\//.test(options.url)) throw new TypeError("PostgresDb needs a postgres:// URL");
    const id = options.id ?? "agentos-db";
    super(id, "postgres", async () => {
      const { PostgresSqlStore } = await import("./postgres-sql-store.js");
      return new PostgresSqlStore(id, {
        url: options.url,
        maxConnections: options.maxConnections ?? 10,
        statementTimeoutMs: options.statementTimeoutMs ?? 30_000,
        connectionTimeoutMs: options.connectionTimeoutMs ?? 5_000,
        idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
      });
    });
  }
}
