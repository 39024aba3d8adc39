export { tool } from "./tool.js";
export type { Tool, ToolContext, ToolOptions, ToolPauseSettings } from "./tool.js";
export { toolkit, flattenTools } from "./toolkit.js";
export type { Toolkit, ToolLike } from "./toolkit.js";
