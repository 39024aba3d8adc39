import type { Principal } from "./principal.js";

/**
 * Tokens verified recently, by their full text, so that a client reusing its token skips the
 * signature check (WebCrypto costs about 150 µs a verification). Bounded in count, token size and
 * age; an entry never outlives its token's `exp`.
 */
export class VerifiedTokens {
  readonly #entries = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly maxEntries = 1024,
    private readonly maxAgeMs = 60_000,
    private readonly maxTokenLength = 4096,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get(token: string): Principal | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (this.now() >= entry.until) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  /** Remembers a verified token until its `exp` (epoch seconds) or the maximum age, whichever is first. */
  set(token: string, principal: Principal, exp: number): void {
    if (token.length > this.maxTokenLength) return;
    // The oldest entry goes first (a Map iterates in insertion order).
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(token, { principal, until: Math.min(exp * 1000, this.now() + this.maxAgeMs) });
  }

  get size(): number {
    return this.#entries.size;
  }
}
