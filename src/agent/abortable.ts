/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts (even if the work ignores it). */
export function abortable<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The work may fail too (it saw the same signal); nobody waits for it any more.
    Promise.resolve(promise).catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** Yields each promise's value as it settles, fastest first. */
export async function* inCompletionOrder<T>(promises: Promise<T>[]): AsyncGenerator<T> {
  const pending = new Map(
    promises.map((p, i) => {
      const tagged = p.then((value) => ({ i, value }));
      tagged.catch(() => {}); // the race reports the first failure; later ones must not go unhandled
      return [i, tagged] as const;
    }),
  );
  while (pending.size) {
    const { i, value } = await Promise.race(pending.values());
    pending.delete(i);
    yield value;
  }
}
