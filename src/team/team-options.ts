import type { Agent, ModelLike } from "../agent/index.js";
import type { RunPolicy } from "../run/index.js";
import type { Store } from "../storage/index.js";
import type { ToolLike } from "../tool/index.js";
import type { Team } from "./team.js";

/**
 * How a team works:
 * - `route`: the leader picks the member best suited; that member's answer is the team's answer;
 * - `coordinate`: the leader delegates tasks to members (several in parallel) and writes the answer from their results;
 * - `broadcast`: every member gets the request in parallel; the leader synthesizes their answers;
 * - `tasks`: the leader keeps a task list that members execute, until the goal is met or `maxIterations`.
 */
export type TeamMode = "route" | "coordinate" | "broadcast" | "tasks";

export const TEAM_MODES: readonly TeamMode[] = ["route", "coordinate", "broadcast", "tasks"];

/** A member of a team: an agent, or a team of its own. */
export type TeamMember = Agent | Team;

export interface TeamOptions {
  /** Defaults to a slug of the name ("Research Team" -> "research-team"). */
  id?: string;
  name: string;
  description?: string;
  /** A role, as the leader of an enclosing team sees it. */
  role?: string;
  /** The leader's model. */
  model: ModelLike;
  members: TeamMember[];
  /** Default "coordinate". */
  mode?: TeamMode;
  /** Instructions for the leader. */
  instructions?: string | string[];
  /** Tools of the leader itself, next to the ones its mode gives it. */
  tools?: ToolLike[];
  /** Where team runs, member runs and sessions are kept; an AgentOS gives its own db to teams without one. */
  db?: Store;
  /** Put earlier runs of the team's session into the leader's prompt. Default false. */
  addHistoryToContext?: boolean;
  /** How many earlier runs. Default 3. */
  numHistoryRuns?: number;
  /** The initial state of each new session; members see it and their changes are merged back. */
  sessionState?: Record<string, unknown>;
  /** Tasks mode: the most plan-and-execute rounds. Default 10. */
  maxIterations?: number;
  /** The most tool calls the leader may make in one model loop. */
  toolCallLimit?: number;
  /** The most model requests of one leader loop. Default 20. */
  maxModelRequests?: number;
  temperature?: number;
  maxOutputTokens?: number;
  concurrentRuns?: RunPolicy["concurrentRuns"];
  onDisconnect?: RunPolicy["onDisconnect"];
  metadata?: Record<string, unknown>;
}
