/**
 * Cancel requests for runs that are not live in this process yet: a run registering under one of
 * these ids is cancelled at once. Bounded in size and age, so unknown ids cannot pile up.
 */
export class CancelIntents {
  #intents = new Map<string, { reason: string; at: number }>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly max = 10_000,
  ) {}

  add(runId: string, reason: string): void {
    this.#intents.delete(runId);
    this.#intents.set(runId, { reason, at: Date.now() });
    // A Map iterates in insertion order: the oldest go first.
    for (const [id, intent] of this.#intents) {
      if (this.#intents.size <= this.max && Date.now() - intent.at < this.ttlMs) break;
      this.#intents.delete(id);
    }
  }

  /** The reason a run was cancelled before it registered, consumed; undefined when none. */
  take(runId: string): string | undefined {
    const intent = this.#intents.get(runId);
    if (!intent) return undefined;
    this.#intents.delete(runId);
    return Date.now() - intent.at < this.ttlMs ? intent.reason : undefined;
  }
}
