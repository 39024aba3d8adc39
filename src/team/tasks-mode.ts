import { errorMessage } from "../errors.js";
import type { Message, RunEvent, ToolExecution } from "../run/index.js";
import { whileSettling } from "../run/index.js";
import { answerText } from "./delegation-tools.js";
import { TaskBoard } from "./task-board.js";
import { taskTools } from "./task-tools.js";
import type { ModeResult, TeamRunContext } from "./team-run.js";
import { leaderPrompt, leaderSystemMessage } from "./team-prompt.js";

/**
 * Tasks mode, in rounds: the leader plans with its task tools, then the members execute every
 * ready task in parallel; until the leader declares the goal met, a round changes nothing, or
 * `maxIterations` rounds have run (then the leader answers from the results it has).
 */
export async function* runTasksMode(ctx: TeamRunContext): AsyncGenerator<RunEvent, ModeResult> {
  const { team, events } = ctx;
  const max = team.options.maxIterations ?? 10;
  const board = new TaskBoard(team.members, events, ctx.channel);
  const tools = [...taskTools(team, board), ...team.tools()];
  const messages: Message[] = [];
  const executions: ToolExecution[] = [];
  let content = "";
  let settled = false;
  for (let round = 1; round <= max && !settled; round++) {
    yield events.raw("TeamTaskIterationStarted", {
      iteration: round,
      max_iterations: max,
      task_summary: board.summary(),
    });
    const before = board.version;
    const system = leaderSystemMessage(team, [board.render(round, max)]);
    const result = yield* ctx.leader(leaderPrompt(ctx, system), tools);
    messages.push(...result.messages);
    executions.push(...result.tools);
    content = result.content;
    const executed = board.goalComplete ? 0 : yield* executeReady(ctx, board);
    yield events.raw("TeamTaskStateUpdated", board.state());
    yield events.raw("TeamTaskIterationCompleted", {
      iteration: round,
      max_iterations: max,
      task_summary: board.summary(),
    });
    // Done when the goal is met, or when a round changed nothing (the leader's reply is the answer).
    settled = board.goalComplete || (executed === 0 && board.version === before);
  }
  if (!settled) {
    const note = `All ${max} rounds are used up. Write the best final answer for the user from the task results so far.`;
    const result = yield* ctx.leader(
      leaderPrompt(ctx, leaderSystemMessage(team, [board.render(max, max), note])),
      [],
    );
    messages.push(...result.messages);
    content = result.content;
  }
  return { content, messages, tools: executions };
}

/** Runs every ready task on its assignee, in parallel; a failing member fails only its task. */
async function* executeReady(ctx: TeamRunContext, board: TaskBoard): AsyncGenerator<RunEvent, number> {
  const ready = board.ready();
  const goal = ctx.userMessage.content ?? "";
  const runs = ready.map(async (task) => {
    const member = ctx.team.members.find((m) => m.id === task.assignee)!;
    board.update(task.id, { status: "in_progress" });
    try {
      const out = await ctx.members.run(member, { message: board.taskMessage(task, goal) });
      board.update(task.id, { status: "completed", result: answerText(out) });
    } catch (err) {
      ctx.signal.throwIfAborted();
      board.update(task.id, { status: "failed", result: `Error: ${errorMessage(err)}` });
    }
  });
  yield* whileSettling(Promise.all(runs), ctx.channel);
  return ready.length;
}
