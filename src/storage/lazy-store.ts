import type { KnowledgeStore } from "./knowledge-store.js";
import type { MemoryStore } from "./memory-store.js";
import type { MetricsStore } from "./metrics-store.js";
import type { ReplicaStore } from "./replica-store.js";
import type { IdempotencyStore, RunEventStore, RunStore, SessionStore, Store } from "./store.js";
import type { TraceStore } from "./trace-store.js";

/**
 * A Store whose implementation (Kysely, the driver) is imported on first use, so that importing
 * AgentOS and constructing a db stay cheap. Sub-stores forward each call to the loaded store.
 */
export class LazyStore implements Store {
  readonly sessions: SessionStore;
  readonly runs: RunStore;
  readonly events: RunEventStore;
  readonly idempotency: IdempotencyStore;
  readonly knowledge: KnowledgeStore;
  readonly memories: MemoryStore;
  readonly traces: TraceStore;
  readonly metrics: MetricsStore;
  readonly replicas: ReplicaStore;
  #loading: Promise<Store> | undefined;
  #loaded: Store | undefined;

  constructor(
    readonly id: string,
    readonly dialect: Store["dialect"],
    private readonly load: () => Promise<Store>,
  ) {
    this.sessions = forward(() => this.impl().then((s) => s.sessions));
    this.runs = forward(() => this.impl().then((s) => s.runs));
    this.events = forward(() => this.impl().then((s) => s.events));
    this.idempotency = forward(() => this.impl().then((s) => s.idempotency));
    this.knowledge = forward(() => this.impl().then((s) => s.knowledge));
    this.memories = forward(() => this.impl().then((s) => s.memories));
    this.traces = forward(() => this.impl().then((s) => s.traces));
    this.metrics = forward(() => this.impl().then((s) => s.metrics));
    this.replicas = forward(() => this.impl().then((s) => s.replicas));
  }

  /** The loaded implementation. */
  impl(): Promise<Store> {
    this.#loading ??= this.load().then(
      (s) => (this.#loaded = s),
      (err) => {
        this.#loading = undefined;
        throw err;
      },
    );
    return this.#loading;
  }

  async migrate(): Promise<void> {
    await (await this.impl()).migrate();
  }

  async notes(): Promise<string[]> {
    return (await (await this.impl()).notes?.()) ?? [];
  }

  async ping(): Promise<void> {
    await (await this.impl()).ping();
  }

  async close(): Promise<void> {
    // Closing a store that was never used loads nothing.
    await this.#loaded?.close();
  }
}

/** An object whose every method awaits the target, then calls the same method on it. */
export function forward<T extends object>(target: () => Promise<T>): T {
  return new Proxy({} as T, {
    get(_obj, method) {
      return async (...args: unknown[]) => {
        const t = (await target()) as Record<PropertyKey, (...a: unknown[]) => unknown>;
        return t[method](...args);
      };
    },
  });
}
