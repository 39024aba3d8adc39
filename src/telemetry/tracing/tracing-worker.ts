/**
 * The tracing thread (see TracingThread): makes the spans of the runs the serving thread notes,
 * stores them in the SQLite trace file with its own connection, and exports them over OTLP.
 */
import { parentPort, workerData } from "node:worker_threads";
import { traceFileConnection } from "../../storage/sqlite/trace-file-connection.js";
import { serveRequests } from "../../threads/index.js";
import { RunSpans } from "./run-spans.js";
import { spanPipeline } from "./span-pipeline.js";
import type { WarnLogger } from "./store-span-processor.js";
import type { RunEntry, TracingLog, TracingRequest, TracingThreadData } from "./tracing-thread-protocol.js";

const port = parentPort!;
const data = workerData as TracingThreadData;

const logger: WarnLogger = {
  warn(fields: unknown, msg?: string) {
    const plain = Object.fromEntries(
      Object.entries(fields as Record<string, unknown>).map(([k, v]) => [
        k,
        v instanceof Error ? { type: v.name, message: v.message, stack: v.stack } : v,
      ]),
    );
    try {
      port.postMessage({ log: { msg: msg ?? "", fields: plain } } satisfies TracingLog);
    } catch {
      // A field that cannot be copied to the serving thread: the message alone still gets there.
      port.postMessage({ log: { msg: msg ?? "", fields: {} } } satisfies TracingLog);
    }
  },
} as WarnLogger;

const traceFile = traceFileConnection(data.traceFile);
const pipeline = await spanPipeline(data.settings, data.version, traceFile.store, logger);
const runs = new Map<number, RunSpans>();

function apply(entry: RunEntry): void {
  switch (entry[0]) {
    case 0:
      runs.set(entry[1], new RunSpans(pipeline.tracer, entry[2], pipeline.builder.schedule, entry[3]));
      return;
    case 1:
      runs.get(entry[1])?.event(entry[2], entry[3]);
      return;
    case 2:
      runs.get(entry[1])?.note(entry[2]);
      return;
    case 3:
      runs.get(entry[1])?.end(entry[2] ?? undefined, entry[3]);
      runs.delete(entry[1]);
      return;
  }
}

serveRequests<TracingRequest>(
  port,
  async (req) => {
    if (req.op === "flush") await pipeline.flush();
    else await pipeline.shutdown();
  },
  (m) => {
    if (typeof m === "string") {
      for (const entry of JSON.parse(m) as RunEntry[]) apply(entry);
    } else {
      void traceFile.db.destroy().finally(() => port.close()); // { op: "exit" }, after shutdown
    }
  },
);
