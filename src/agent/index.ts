export { Agent } from "./agent.js";
export type { AgentOptions, ModelLike } from "./agent-options.js";
export { modelLoop } from "./model-loop.js";
export type { ModelLoopInput, ModelLoopResult } from "./model-loop.js";
export { runToolCalls } from "./tool-runner.js";
export type { ToolCallOutcome, ToolCallRequest } from "./tool-runner.js";
export { systemMessage, historyMessages, countsAsSessionMessage } from "./system-message.js";
export { abortable, inCompletionOrder } from "./abortable.js";
export { slugify } from "./slug.js";
