export { RunManager } from "./run-manager.js";
export type { RunManagerOptions, RunRequest } from "./run-manager.js";
export { LiveRun } from "./live-run.js";
export { EventBuffer } from "./event-buffer.js";
export { EventLog } from "./event-log.js";
export { LocalRunBus } from "./run-bus.js";
export type { RunBus } from "./run-bus.js";
