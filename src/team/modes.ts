import { runToolCalls } from "../agent/index.js";
import type { Message, MessageToolCall, RunEvent, RunOutput } from "../run/index.js";
import { nowSeconds, withChannel } from "../run/index.js";
import { answerText, DELEGATE_TOOL, delegateTool, routeTool } from "./delegation-tools.js";
import { runTasksMode } from "./tasks-mode.js";
import type { ModeResult, TeamRunContext } from "./team-run.js";
import { leaderPrompt, leaderSystemMessage } from "./team-prompt.js";

/** Runs the team's mode. */
export function runMode(ctx: TeamRunContext): AsyncGenerator<RunEvent, ModeResult> {
  switch (ctx.team.mode) {
    case "coordinate":
      return coordinate(ctx);
    case "route":
      return route(ctx);
    case "broadcast":
      return broadcast(ctx);
    case "tasks":
      return runTasksMode(ctx);
  }
}

async function* coordinate(ctx: TeamRunContext): AsyncGenerator<RunEvent, ModeResult> {
  const delegate = delegateTool(ctx.team, ctx.members, ctx.input.media);
  const result = yield* ctx.leader(leaderPrompt(ctx, leaderSystemMessage(ctx.team)), [
    delegate,
    ...ctx.team.tools(),
  ]);
  return { content: result.content, messages: result.messages, tools: result.tools };
}

async function* route(ctx: TeamRunContext): AsyncGenerator<RunEvent, ModeResult> {
  const routed = new Map<string, RunOutput>();
  const tool = routeTool(ctx.team, ctx.members, ctx.input, routed);
  const result = yield* ctx.leader(leaderPrompt(ctx, leaderSystemMessage(ctx.team)), [
    tool,
    ...ctx.team.tools(),
  ]);
  const stopper = result.tools.find((t) => t.stop_after_tool_call && !t.tool_call_error);
  const answer = stopper && routed.get(stopper.tool_call_id);
  if (!answer) return { content: result.content, messages: result.messages, tools: result.tools };
  // The member's answer is the team's: streamed once as team content and kept as the leader's reply.
  const text = answerText(answer);
  yield ctx.events.make("RunContent", {
    content: answer.content,
    content_type: typeof answer.content === "string" ? "str" : "json",
  });
  return {
    content: answer.content,
    messages: [...result.messages, { role: "assistant", content: text, created_at: nowSeconds() }],
    tools: result.tools,
  };
}

/**
 * Every member gets the request at once (as delegation calls the team makes itself, so clients
 * see them as tool events); then the leader synthesizes. The team fails only if every member did.
 */
async function* broadcast(ctx: TeamRunContext): AsyncGenerator<RunEvent, ModeResult> {
  const { team, run } = ctx;
  const delegate = delegateTool(team, ctx.members, ctx.input.media);
  const task = ctx.userMessage.content ?? "";
  const calls = team.members.map((m, i) => ({
    id: `broadcast_${run.run_id.slice(-12)}_${i}`,
    name: DELEGATE_TOOL,
    input: JSON.stringify({ member_id: m.id, task }),
  }));
  const outcomes = yield* withChannel(
    runToolCalls({
      calls,
      tools: new Map([[DELEGATE_TOOL, delegate]]),
      context: ctx.toolContext,
      signal: ctx.signal,
      events: ctx.events,
      budget: { remaining: undefined },
    }),
    ctx.channel,
  );
  run.metrics.tool_calls += outcomes.length;
  if (outcomes.every((o) => o.execution.tool_call_error))
    throw new Error(`Every member failed: ${outcomes.map((o) => o.execution.result).join("; ")}`);
  const asked: Message = {
    role: "assistant",
    content: null,
    tool_calls: calls.map((c): MessageToolCall => ({
      id: c.id,
      type: "function",
      function: { name: c.name, arguments: c.input },
    })),
    created_at: nowSeconds(),
  };
  const answers = outcomes.map((o) => o.message);
  const result = yield* ctx.leader(leaderPrompt(ctx, leaderSystemMessage(team), [asked, ...answers]), [
    delegate,
    ...team.tools(),
  ]);
  return {
    content: result.content,
    messages: [asked, ...answers, ...result.messages],
    tools: [...outcomes.map((o) => o.execution), ...result.tools],
  };
}
