/** The Agno-compatible surface (reference/agno-agentos-api.md), served by the shared services. */
export { agnoRouteTable } from "./route-table.js";
export type { SharedServices } from "./route-table.js";
export { agnoErrorBody } from "./errors.js";
export { AGNO_API_VERSION } from "./routes/core.js";
