import type {
  LanguageModelV3CallOptions,
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3StreamPart,
} from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { Agent } from "../../src/agent/index.js";
import { OfflineDemoModel, ScriptedModel } from "../../src/model/index.js";
import { Team } from "../../src/team/index.js";

const model = new OfflineDemoModel({ delayMs: 0 });

function delegationTool(name: string, members: [string, string][]): LanguageModelV3FunctionTool {
  return {
    type: "function",
    name,
    description: "delegate",
    inputSchema: {
      type: "object",
      properties: {
        member_id: {
          anyOf: members.map(([id, description]) => ({ type: "string", const: id, description })),
        },
        task: { type: "string" },
      },
    },
  };
}

const MEMBERS: [string, string][] = [
  ["researcher", "Researcher. Role: Finds facts. Tools: lookup_fact (Topics: Eiffel Tower, Moon)."],
  ["analyst", "Analyst. Role: Works out numbers. Tools: calculator (Evaluates an arithmetic expression)."],
  ["poet", "Poet. Role: Writes poems about feelings."],
];

async function turn(
  options: Partial<LanguageModelV3CallOptions> & { prompt: LanguageModelV3CallOptions["prompt"] },
) {
  const { stream } = await model.doStream(options as LanguageModelV3CallOptions);
  const parts: LanguageModelV3StreamPart[] = [];
  for await (const p of stream) parts.push(p);
  return {
    text: parts.flatMap((p) => (p.type === "text-delta" ? [p.delta] : [])).join(""),
    calls: parts.flatMap((p) =>
      p.type === "tool-call" ? [{ name: p.toolName, input: JSON.parse(p.input) }] : [],
    ),
  };
}

const user = (text: string): LanguageModelV3Message => ({ role: "user", content: [{ type: "text", text }] });

describe("OfflineDemoModel as a team leader", () => {
  it("coordinate: delegates the request to every member whose description fits, in member order", async () => {
    const tools = [delegationTool("delegate_task_to_member", MEMBERS)];
    const both = await turn({ prompt: [user("How tall is the Eiffel Tower? And what is 330 * 3?")], tools });
    expect(both.calls).toEqual([
      {
        name: "delegate_task_to_member",
        input: { member_id: "researcher", task: "How tall is the Eiffel Tower? And what is 330 * 3?" },
      },
      {
        name: "delegate_task_to_member",
        input: { member_id: "analyst", task: "How tall is the Eiffel Tower? And what is 330 * 3?" },
      },
    ]);
    const poem = await turn({ prompt: [user("a poem about feelings please")], tools });
    expect(poem.calls.map((c) => c.input.member_id)).toEqual(["poet"]);
    const none = await turn({ prompt: [user("hello there")], tools });
    expect(none.calls.map((c) => c.input.member_id)).toEqual(["researcher"]); // nobody fits: the first member
  });

  it("route: hands the request to the single best member, and to the next one if it fails", async () => {
    const tools = [delegationTool("route_to_member", MEMBERS)];
    const first = await turn({ prompt: [user("compute 12 * 4")], tools });
    expect(first.calls).toEqual([{ name: "route_to_member", input: { member_id: "analyst" } }]);
    const afterFailure = await turn({
      tools,
      prompt: [
        user("compute 12 * 4"),
        {
          role: "assistant",
          content: [
            {
              type: "tool-call",
              toolCallId: "c1",
              toolName: "route_to_member",
              input: { member_id: "analyst" },
            },
          ],
        },
        {
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: "c1",
              toolName: "route_to_member",
              output: { type: "error-text", value: "Error: Agent 'analyst' failed: down" },
            },
          ],
        },
      ],
    });
    expect(afterFailure.calls).toEqual([{ name: "route_to_member", input: { member_id: "researcher" } }]);
  });

  it("synthesizes the members' answers, naming each and any that failed", async () => {
    const prompt: LanguageModelV3Message[] = [
      user("question"),
      {
        role: "assistant",
        content: [
          {
            type: "tool-call",
            toolCallId: "a",
            toolName: "delegate_task_to_member",
            input: { member_id: "researcher", task: "q" },
          },
          {
            type: "tool-call",
            toolCallId: "b",
            toolName: "delegate_task_to_member",
            input: { member_id: "analyst", task: "q" },
          },
        ],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "a",
            toolName: "delegate_task_to_member",
            output: { type: "text", value: "It is 330 m." },
          },
          {
            type: "tool-result",
            toolCallId: "b",
            toolName: "delegate_task_to_member",
            output: { type: "error-text", value: "Error: Agent 'analyst' failed: boom" },
          },
        ],
      },
    ];
    const { text, calls } = await turn({
      prompt,
      tools: [delegationTool("delegate_task_to_member", MEMBERS)],
    });
    expect(calls).toEqual([]);
    expect(text).toBe(
      "Here is what the team found:\n- researcher: It is 330 m.\n- analyst could not help: Agent 'analyst' failed: boom",
    );
  });

  it("calls a lookup tool with the key words of the message", async () => {
    const lookup: LanguageModelV3FunctionTool = {
      type: "function",
      name: "lookup_fact",
      description: "Looks up facts",
      inputSchema: { type: "object", properties: { query: { type: "string" } } },
    };
    const { calls } = await turn({ prompt: [user("How tall is the Eiffel Tower?")], tools: [lookup] });
    expect(calls).toEqual([{ name: "lookup_fact", input: { query: "tall Eiffel Tower" } }]);
  });

  it("leads a real team: picks members from the roles the team gives it", async () => {
    const member = (id: string, role: string, reply: string) =>
      new Agent({ id, name: id, role, model: ScriptedModel.reply(reply) });
    const team = new Team({
      name: "Offline",
      model: new OfflineDemoModel({ delayMs: 0 }),
      members: [
        member("gardener", "Knows plants and gardens", "Water it weekly."),
        member("mechanic", "Repairs cars and engines", "Check the oil."),
      ],
    });
    const out = await team.run("My garden plants look dry").collect();
    expect(out.member_responses!.map((m) => m.agent_id)).toEqual(["gardener"]);
    expect(out.content).toBe("Here is what the team found:\n- gardener: Water it weekly.");
    const routed = new Team({ ...team.options, mode: "route" });
    expect((await routed.run("my car engine makes noise").collect()).content).toBe("Check the oil.");
  });
});
