import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
/** The engine's garbage collector, made callable without starting Node with --expose-gc. */
const collect = runInNewContext("gc") as () => void;

/** Heap in use after full collections (settling finalizers between them). */
export async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collect();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

/** Handles (sockets, timers, servers) keeping the event loop alive. */
export function openHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap").length;
}
