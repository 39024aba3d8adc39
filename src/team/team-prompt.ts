import { systemMessage } from "../agent/index.js";
import type { Message } from "../run/index.js";
import type { Team } from "./team.js";
import type { TeamRunContext } from "./team-run.js";
import type { TeamMember, TeamMode } from "./team-options.js";

/** One line per member, as the leader sees it: id, name, role, description and tools. */
export function describeMember(member: TeamMember): string {
  const o = member.options;
  const parts = [`${member.name}.`];
  if (o.role) parts.push(`Role: ${o.role}.`);
  if (o.description) parts.push(o.description);
  if (member.kind === "team") {
    parts.push(`A team (${member.mode}) of: ${member.members.map((m) => m.name).join(", ")}.`);
  } else {
    const tools = member.tools();
    if (tools.length)
      parts.push(`Tools: ${tools.map((t) => `${t.name} (${brief(t.description)})`).join("; ")}.`);
  }
  return parts.join(" ");
}

function brief(text: string, max = 240): string {
  const t = text.trim().replace(/\s+/g, " ");
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

const GUIDANCE: Record<TeamMode, string> = {
  coordinate:
    "You lead a team. Delegate work to the members with delegate_task_to_member: give each a clear, self-contained task. " +
    "To run several members in parallel, call the tool several times in one turn. When you have their results, write the " +
    "final answer for the user yourself. If a member fails, you see its error: try another member or answer with what you have.",
  route:
    "You route requests. Pick the single member best suited to the user's request and call route_to_member with its id; " +
    "that member's answer goes to the user as it is. Answer yourself only when no member fits.",
  broadcast:
    "You lead a team. Every member has been given the user's request; their answers are the results of the " +
    "delegate_task_to_member calls above. Write one answer for the user that synthesizes them, noting where they disagree. " +
    "You may ask one member a follow-up with delegate_task_to_member if something essential is missing.",
  tasks:
    "You lead a team towards a goal by keeping a task list. Break the goal into tasks with create_task and give each an " +
    "assignee (a member id); use dependencies when one task needs another's result. After your turn the members execute every " +
    "assigned pending task whose dependencies are completed, and you see the results in the next round. Use update_task to " +
    "change or retry a task, complete_task to record a result yourself, and complete_goal once the goal is met; then write the " +
    "final answer for the user from the task results.",
};

/** The leader's system message: the team's description and instructions, its members and how its mode works. */
export function leaderSystemMessage(team: Team, extraSections: readonly string[] = []): Message | undefined {
  const members = team.members.map((m) => `- ${m.id}: ${describeMember(m)}`).join("\n");
  return systemMessage(
    {
      name: team.name,
      model: team.options.model,
      description: team.options.description,
      role: team.options.role,
      instructions: team.options.instructions,
    },
    [GUIDANCE[team.mode], `Team members:\n${members}`, ...extraSections],
  );
}

/** The leader's prompt: system message, history, the user's message and anything after it. */
export function leaderPrompt(
  ctx: TeamRunContext,
  system: Message | undefined,
  after: Message[] = [],
): Message[] {
  return [...(system ? [system] : []), ...ctx.history, ctx.userMessage, ...after];
}
