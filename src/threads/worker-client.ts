import type { Worker } from "node:worker_threads";

/** What a worker served by `serveRequests` answers. */
export type WorkerReply =
  { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/**
 * The main side of a worker thread that answers requests: started on first use, it holds the
 * process open only while requests are pending, and starts again after a crash (the requests
 * then pending fail with its error). Messages that are not replies go to `onMessage`.
 */
export class WorkerClient {
  #worker: Worker | undefined;
  #exited: Promise<void> | undefined;
  readonly #waiting = new Map<number, Waiting>();
  readonly #pending = new Set<Promise<unknown>>();
  #nextId = 0;

  constructor(
    private readonly start: () => Worker,
    private readonly onMessage: (message: unknown) => void = () => {},
    private readonly onExit: (code: number) => void = () => {},
  ) {}

  /** Whether the thread is up (started and not ended). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** Sends a message that wants no answer. */
  post(message: unknown): void {
    this.#started().postMessage(message);
  }

  request<T>(message: object): Promise<T> {
    const worker = this.#started();
    const id = this.#nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.#waiting.size === 1) worker.ref();
      worker.postMessage({ ...message, id });
    });
    this.#pending.add(reply);
    void reply.catch(() => {}).finally(() => this.#pending.delete(reply));
    return reply;
  }

  /**
   * Waits for pending requests, then sends `last` (after which the worker ends) and waits for its
   * end; a worker still there after `timeoutMs` is terminated.
   */
  async close(last: object, timeoutMs = 5_000): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    await Promise.allSettled(this.#pending);
    worker.ref(); // the process waits for the thread to end
    worker.postMessage(last);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((done) => {
      timer = setTimeout(() => void worker.terminate().then(() => done()), timeoutMs);
    });
    await Promise.race([this.#exited, late]);
    clearTimeout(timer);
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = this.start();
    worker.unref();
    worker.on("message", (m: unknown) => {
      if (isReply(m)) this.#settle(m);
      else this.onMessage(m);
    });
    worker.on("error", (err) => this.#failAll(err));
    this.#exited = new Promise((done) =>
      worker.once("exit", (code) => {
        if (this.#worker === worker) this.#worker = undefined;
        this.#failAll(new Error(`the worker thread stopped (exit code ${code})`));
        this.onExit(code);
        done();
      }),
    );
    this.#worker = worker;
    return worker;
  }

  #settle(reply: WorkerReply): void {
    const w = this.#waiting.get(reply.id);
    if (!w) return;
    this.#waiting.delete(reply.id);
    if (!this.#waiting.size) this.#worker?.unref();
    if (reply.ok) w.resolve(reply.value);
    else w.reject(new Error(reply.error));
  }

  #failAll(err: Error): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) w.reject(err);
  }
}

function isReply(m: unknown): m is WorkerReply {
  return typeof m === "object" && m !== null && "id" in m && "ok" in m;
}
