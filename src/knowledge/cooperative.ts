/**
 * Long CPU-bound loops (tokenizing, chunking) call `tick()` often; once a slice of time has
 * passed it yields to the event loop, so the server keeps answering while a large file is ingested.
 */
export class Cooperative {
  #since = performance.now();

  constructor(
    private readonly signal?: AbortSignal,
    private readonly sliceMs = 15,
  ) {}

  async tick(): Promise<void> {
    if (performance.now() - this.#since < this.sliceMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.#since = performance.now();
    this.signal?.throwIfAborted();
  }
}
