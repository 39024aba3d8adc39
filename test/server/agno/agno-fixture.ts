import { Agent } from "../../../src/agent/index.js";
import { ScriptedModel } from "../../../src/model/index.js";
import type { AgentOSOptions } from "../../../src/os/index.js";
import { Team } from "../../../src/team/index.js";
import { Workflow, step } from "../../../src/workflow/index.js";

/** Agents, a team and a workflow for the /agno surface's tests (scripted models, no network). */
export function agnoComponents(): Pick<AgentOSOptions, "agents" | "teams" | "workflows"> {
  const writer = new Agent({
    id: "writer",
    name: "Writer",
    model: new ScriptedModel({ fallback: [{ text: "draft " }, { delayMs: 10 }, { text: "text" }] }),
  });
  const echo = new Agent({
    id: "agno-assist",
    name: "Agno Assist",
    description: "Answers",
    model: new ScriptedModel({ fallback: [{ text: "Hel" }, { text: "lo" }] }),
    instructions: "Be brief.",
    addHistoryToContext: true,
  });
  const slow = new Agent({
    id: "slow",
    name: "Slow",
    model: new ScriptedModel({
      fallback: [{ text: "one " }, { delayMs: 150 }, { text: "two " }, { delayMs: 150 }, { text: "three" }],
    }),
  });
  const leader = new ScriptedModel({
    fallback: (call) =>
      call.prompt.at(-1)?.role === "tool"
        ? "Team answer."
        : [{ toolCall: { name: "delegate_task_to_member", args: { member_id: "writer", task: "write" } } }],
  });
  return {
    agents: [echo, slow, writer],
    teams: [new Team({ id: "crew", name: "Crew", description: "Writes", model: leader, members: [writer] })],
    workflows: [
      new Workflow({
        id: "pipeline",
        name: "Pipeline",
        description: "Writes, then counts",
        steps: [
          step({ name: "write", agent: writer }),
          step({ name: "count", run: (s) => `${String(s.previousOutput).length} chars` }),
        ],
      }),
    ],
  };
}

/** An urlencoded form body for inject. */
export function form(fields: Record<string, string>) {
  return {
    payload: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  };
}

/** Parses an SSE body into [event name, data] pairs. */
export function sseEvents(body: string): { event: string; data: Record<string, unknown>; raw: string }[] {
  return body
    .split("\n\n")
    .filter((b) => b.includes("event: "))
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))!.slice(7);
      const raw = lines.find((l) => l.startsWith("data: "))!.slice(6);
      return { event, data: JSON.parse(raw) as Record<string, unknown>, raw: block };
    });
}
