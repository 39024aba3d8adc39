/** The /agno surface's shapes (reference/agno-agentos-api.md): Agno's names, envelopes and time formats. */
export { agnoMetrics, isoFromMs, isoFromSeconds, withoutNulls } from "./compact.js";
export {
  agentResponse,
  agnoModel,
  modelParts,
  teamResponse,
  workflowResponse,
  workflowSummary,
} from "./components.js";
export { agnoEvent, agnoFrame, isEssentialEvent } from "./events.js";
export { paginatedResponse, userMemory } from "./memories.js";
export { agnoMessage, runInputText, runOutputDict, runSchema } from "./runs.js";
export { displayName, sessionDetail, sessionSchema } from "./sessions.js";
