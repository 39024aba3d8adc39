import { Worker } from "node:worker_threads";

/**
 * Starts the worker module `name` that sits beside the caller (`from` is its import.meta.url):
 * the compiled `.js`, or from the TypeScript source (tests, `npm start`) the `.ts` through tsx.
 */
export function startWorker(from: string, name: string, workerData: unknown): Worker {
  if (!from.endsWith(".ts")) return new Worker(new URL(`./${name}.js`, from), { workerData });
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const entry = JSON.stringify(new URL(`./${name}.ts`, from).href);
  return new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}); })`, {
    eval: true,
    workerData,
  });
}
