/** Worker threads: starting one from source or build, and asking it for work. */
export { startWorker } from "./start-worker.js";
export { WorkerClient } from "./worker-client.js";
export type { WorkerReply } from "./worker-client.js";
export { serveRequests } from "./serve-requests.js";
