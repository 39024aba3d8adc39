import { z } from "zod";
import type { Tool } from "../tool/index.js";
import { tool } from "../tool/index.js";
import { bindTool, unbound } from "./leader-tools.js";
import type { TaskBoard } from "./task-board.js";
import type { Team } from "./team.js";

const taskId = () => z.string().describe("The task id, e.g. task-1");
const memberId = () => z.string().describe("The id of the member who will execute it");

/** The tasks-mode leader's tools, bound to this run's task list. */
export function taskTools(team: Team, board: TaskBoard): Tool[] {
  const template = <I>(name: string, description: string, input: () => z.ZodType<I>) =>
    team.modeTool(name, () => tool({ name, description, input: input(), execute: unbound })) as Tool<I>;
  return [
    bindTool(
      template(
        "create_task",
        "Add a task to the list. Give it an assignee to have it executed after your turn.",
        () =>
          z.object({
            title: z.string().min(1),
            description: z.string().optional(),
            assignee: memberId().optional(),
            dependencies: z.array(taskId()).optional().describe("Tasks that must be completed first"),
          }),
      ),
      (args) => {
        const t = board.create(args);
        return `Created ${t.id}${t.assignee ? `, assigned to ${t.assignee}` : ""}.`;
      },
    ),
    bindTool(
      template("assign_task", "Assign (or reassign) a task to a member.", () =>
        z.object({ task_id: taskId(), member_id: memberId() }),
      ),
      ({ task_id, member_id }) => {
        board.update(task_id, { assignee: member_id });
        return `Assigned ${task_id} to ${member_id}.`;
      },
    ),
    bindTool(
      template(
        "update_task",
        "Change a task: its title or description, or its status (pending to retry it, cancelled to drop it).",
        () =>
          z.object({
            task_id: taskId(),
            title: z.string().min(1).optional(),
            description: z.string().optional(),
            status: z.enum(["pending", "cancelled"]).optional(),
          }),
      ),
      ({ task_id, ...change }) => {
        const t = board.update(task_id, change);
        return `Updated ${t.id}: ${t.status}.`;
      },
    ),
    bindTool(
      template("complete_task", "Mark a task completed with its result, without a member executing it.", () =>
        z.object({ task_id: taskId(), result: z.string() }),
      ),
      ({ task_id, result }) => {
        board.update(task_id, { status: "completed", result });
        return `Completed ${task_id}.`;
      },
    ),
    bindTool(
      template(
        "complete_goal",
        "Declare the goal met. Then write the final answer for the user from the task results.",
        () => z.object({ summary: z.string().describe("How the goal was met") }),
      ),
      ({ summary }) => {
        board.completeGoal(summary);
        return "Goal marked complete. Now write the final answer for the user from the task results.";
      },
    ),
  ];
}
