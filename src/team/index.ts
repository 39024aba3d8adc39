export { Team } from "./team.js";
export type { TeamMember, TeamMode, TeamOptions } from "./team-options.js";
export { TEAM_MODES } from "./team-options.js";
export type { TaskStatus, TeamTask } from "./task-board.js";
export { DELEGATE_TOOL, ROUTE_TOOL } from "./delegation-tools.js";
