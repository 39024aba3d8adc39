export { AgentOS } from "./agent-os.js";
export type { AgentOSOptions, ServeOptions } from "./agent-os.js";
export { ComponentRegistry } from "./components.js";
export { readEnvConfig } from "./config.js";
export type { EnvConfig, Env } from "./config.js";
