import type { RunStore, Store } from "../storage/index.js";

/**
 * The store as components see it in a replica: the same store, except that a run begins recorded
 * as this replica's in the same write (so no moment exists when a live run has no owner).
 */
export function ownedStore(store: Store, replicaId: string): Store {
  const begin: RunStore["begin"] = (run, seed) => store.runs.begin(run, { ...seed, replica_id: replicaId });
  const runs = delegate(store.runs, { begin });
  return delegate(store, { runs });
}

/** `target` with some members replaced; every other method is called on `target` itself. */
function delegate<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.prototype.hasOwnProperty.call(overrides, prop)) return overrides[prop as keyof T];
      const value = Reflect.get(t, prop) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
