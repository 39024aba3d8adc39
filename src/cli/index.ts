export { runCli, USAGE } from "./cli.js";
export type { CliIO } from "./cli.js";
export { parseTtl } from "./token-command.js";
