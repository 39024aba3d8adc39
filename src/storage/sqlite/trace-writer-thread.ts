import { Worker } from "node:worker_threads";
import type { SpanRow, TraceRecord } from "../trace-store.js";
import { flatten, SPAN_ROW_COLUMNS, TRACE_ROW_COLUMNS } from "./trace-writer-protocol.js";
import type { TraceWriterData, TraceWriterReply, TraceWriterRequest } from "./trace-writer-protocol.js";

type Request = TraceWriterRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

interface Waiting {
  resolve: (value: number | undefined) => void;
  reject: (err: Error) => void;
}

/**
 * The main side of the trace file's writer thread: started on first use, it holds the process
 * open only while requests are pending, and starts again after a crash (the requests then
 * pending fail with its error).
 */
export class TraceWriterThread {
  #worker: Worker | undefined;
  #exited: Promise<void> | undefined;
  readonly #waiting = new Map<number, Waiting>();
  readonly #pending = new Set<Promise<unknown>>();
  #nextId = 0;

  constructor(private readonly data: TraceWriterData) {}

  async write(batch: { traces: TraceRecord[]; spans: SpanRow[] }): Promise<void> {
    await this.#send({
      op: "write",
      spans: flatten(batch.spans, SPAN_ROW_COLUMNS),
      traces: flatten(batch.traces, TRACE_ROW_COLUMNS),
    });
  }

  async prune(olderThanUs: number, batchSize: number): Promise<number> {
    return (await this.#send({ op: "prune", olderThanUs, batchSize })) ?? 0;
  }

  /** Waits for pending requests, then lets the thread close its connection and end. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    await Promise.allSettled(this.#pending);
    worker.ref(); // the process waits for the thread to end
    worker.postMessage({ id: this.#nextId++, op: "close" } satisfies TraceWriterRequest);
    await this.#exited;
  }

  #send(req: Request): Promise<number | undefined> {
    const worker = this.#start();
    const id = this.#nextId++;
    const reply = new Promise<number | undefined>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      if (this.#waiting.size === 1) worker.ref();
      worker.postMessage({ ...req, id } as TraceWriterRequest);
    });
    this.#pending.add(reply);
    void reply.catch(() => {}).finally(() => this.#pending.delete(reply));
    return reply;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = import.meta.url.endsWith(".ts")
      ? // From the TypeScript source (tests, `npm start`), the thread loads it through tsx too.
        new Worker(
          `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})` +
            `.then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL("./trace-writer.ts", import.meta.url).href)}); })`,
          { eval: true, workerData: this.data },
        )
      : new Worker(new URL("./trace-writer.js", import.meta.url), { workerData: this.data });
    worker.unref();
    worker.on("message", (reply: TraceWriterReply) => this.#settle(reply));
    this.#exited = new Promise((done) =>
      worker.once("exit", (code) => {
        if (this.#worker === worker) this.#worker = undefined;
        this.#failAll(new Error(`the trace writer thread stopped (exit code ${code})`));
        done();
      }),
    );
    worker.on("error", (err) => this.#failAll(err));
    this.#worker = worker;
    return worker;
  }

  #settle(reply: TraceWriterReply): void {
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
