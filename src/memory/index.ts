export { updateUserMemories, MEMORY_TASK, MEMORIES_IN_CONTEXT } from "./user-memories.js";
export type { MemoryUpdateInput, MemoryUpdateResult } from "./user-memories.js";
export { updateSessionSummary, SUMMARY_TASK } from "./session-summary.js";
export type { SummaryInput } from "./session-summary.js";
export { memoryTools, memorySection } from "./memory-tools.js";
export { generateJson } from "./model-json.js";
export type { JsonTask } from "./model-json.js";
