export type ConnectionKind = "sse" | "websocket";

/** Counts open streaming connections by kind; `opened` returns the call that closes one (idempotent). */
export class OpenConnections {
  readonly #open: Record<ConnectionKind, number> = { sse: 0, websocket: 0 };

  opened(kind: ConnectionKind): () => void {
    this.#open[kind]++;
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.#open[kind]--;
    };
  }

  count(kind: ConnectionKind): number {
    return this.#open[kind];
  }
}
