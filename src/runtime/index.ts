export { RunManager } from "./run-manager.js";
export type { ContinueRequest, RunManagerOptions, RunRequest } from "./run-manager.js";
export { LiveRun } from "./live-run.js";
export { EventBuffer } from "./event-buffer.js";
export { EventLog } from "./event-log.js";
export { LocalRunBus } from "./run-bus.js";
export type { RunBus } from "./run-bus.js";
export { RetentionSweeper } from "./retention-sweeper.js";
export type { RetentionOptions } from "./retention-sweeper.js";
