import type { FastifyCorsOptions } from "@fastify/cors";

export const DEFAULT_CORS_ORIGINS = ["http://localhost:3000"];

/** The contract's allow-list: the default origin plus the configured ones. */
export function withDefaultOrigins(configured: readonly string[]): string[] {
  return [...new Set([...DEFAULT_CORS_ORIGINS, ...configured])];
}

/** Headers a browser script may read from our answers. */
const EXPOSED = [
  "x-request-id",
  "retry-after",
  "www-authenticate",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
];

/**
 * Parses an origin allow-list (`AGENTOS_CORS_ORIGINS`, comma-separated): each entry an origin such as
 * `https://app.example.com` (a trailing slash is dropped), or `*` for any origin.
 */
export function parseCorsOrigins(text: string): string[] {
  const origins = text
    .split(",")
    .map((o) => o.trim().replace(/\/+$/, ""))
    .filter(Boolean);
  for (const o of origins) {
    if (o === "*") continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(o);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== o)
      throw new Error(
        `AGENTOS_CORS_ORIGINS entries must be origins like https://app.example.com or *, got '${o}'`,
      );
  }
  return origins;
}

/**
 * @fastify/cors options for an allow-list: listed origins are echoed with credentials allowed;
 * `*` allows any origin and then never with credentials. Preflight is answered before any auth.
 */
export function corsOptions(origins: readonly string[]): FastifyCorsOptions {
  const any = origins.includes("*");
  return {
    origin: any ? "*" : [...origins],
    credentials: !any,
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    exposedHeaders: EXPOSED,
    maxAge: 600,
    // An OPTIONS without the preflight headers still gets an empty 204, never a text/plain 400.
    strictPreflight: false,
  };
}
