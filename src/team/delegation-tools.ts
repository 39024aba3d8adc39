import { z } from "zod";
import type { Media, NestedRuns, RunOutput } from "../run/index.js";
import type { Tool } from "../tool/index.js";
import { tool } from "../tool/index.js";
import { bindTool, unbound } from "./leader-tools.js";
import type { Team } from "./team.js";
import type { TeamMember } from "./team-options.js";
import { describeMember } from "./team-prompt.js";

export const DELEGATE_TOOL = "delegate_task_to_member";
export const ROUTE_TOOL = "route_to_member";

/** The member_id parameter: one described constant per member, so a model sees who is who. */
function memberIdSchema(members: readonly TeamMember[]) {
  const options = members.map((m) => z.literal(m.id).describe(describeMember(m)));
  const schema =
    options.length === 1 ? options[0] : z.union(options as [(typeof options)[0], ...typeof options]);
  return schema.describe("The id of the team member");
}

function findMember(members: readonly TeamMember[], id: string): TeamMember {
  const m = members.find((x) => x.id === id);
  if (!m) throw new Error(`No member '${id}'; members: ${members.map((x) => x.id).join(", ")}`);
  return m;
}

/** The member's answer as the leader reads it. */
export function answerText(out: RunOutput): string {
  return typeof out.content === "string" ? out.content : JSON.stringify(out.content);
}

/** Runs one member on a task; several calls in one turn run in parallel. */
export function delegateTool(team: Team, runs: NestedRuns, media?: Media[]): Tool {
  const template = team.modeTool(DELEGATE_TOOL, () =>
    tool({
      name: DELEGATE_TOOL,
      description:
        "Delegate a task to one team member and get its answer. Call several times in one turn to run members in parallel.",
      input: z.object({
        member_id: memberIdSchema(team.members),
        task: z.string().min(1).describe("A clear, self-contained description of what the member must do"),
        expected_output: z.string().optional().describe("What a good answer looks like"),
      }),
      execute: unbound,
    }),
  );
  return bindTool(template, async ({ member_id, task, expected_output }, ctx) => {
    const member = findMember(team.members, member_id);
    const message = expected_output ? `${task}\n\nExpected output: ${expected_output}` : task;
    const out = await runs.run(
      member,
      { message, ...(media?.length ? { media } : {}) },
      { toolCallId: ctx.toolCallId },
    );
    return answerText(out);
  });
}

/** Hands the user's request to one member, whose answer ends the team's run. */
export function routeTool(
  team: Team,
  runs: NestedRuns,
  request: { message: unknown; media?: Media[] },
  routed: Map<string, RunOutput>,
): Tool {
  const template = team.modeTool(ROUTE_TOOL, () =>
    tool({
      name: ROUTE_TOOL,
      description:
        "Hand the user's request to the one member best suited to answer it; its answer goes to the user.",
      input: z.object({ member_id: memberIdSchema(team.members) }),
      stopAfterCall: true,
      execute: unbound,
    }),
  );
  return bindTool(template, async ({ member_id }, ctx) => {
    const out = await runs.run(findMember(team.members, member_id), request, { toolCallId: ctx.toolCallId });
    routed.set(ctx.toolCallId, out);
    return answerText(out);
  });
}
