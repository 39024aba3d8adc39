/**
 * A coordinate team: the leader delegates to a researcher and an analyst at the same time, then
 * writes the answer from their results. It runs offline with the demo model; give the agents and
 * the team a real model ("openai:gpt-4o-mini") to try it for real.
 *
 *   npx tsx examples/teams/research-team.ts
 */
import { pathToFileURL } from "node:url";
import type { EventOf } from "../../src/index.js";
import { Agent, OfflineDemoModel, Team } from "../../src/index.js";
import { calculator } from "../demo/tools/calculator.js";
import { lookupFact } from "../demo/tools/facts.js";

const model = new OfflineDemoModel({ delayMs: 0 });

const researcher = new Agent({
  name: "Researcher",
  role: "Finds facts in the fact list",
  model,
  tools: [lookupFact],
});
const analyst = new Agent({
  name: "Analyst",
  role: "Works out numbers with the calculator",
  model,
  tools: [calculator],
});

export const researchTeam = new Team({
  name: "Research Team",
  mode: "coordinate",
  model,
  members: [researcher, analyst],
  instructions: "Ask the researcher for facts and the analyst for arithmetic, then answer in a few lines.",
});

export async function main(question: string, log: (line: string) => void = console.log) {
  const stream = researchTeam.run(question);
  for await (const event of stream) {
    if (event.event === "TeamToolCallStarted") {
      const { tool } = event as EventOf<"TeamToolCallStarted">;
      log(`-> ${tool.tool_args.member_id}: ${tool.tool_args.task}`);
    }
    // Member events arrive in the same stream, with their own agent_id and the team run as parent.
    if (event.event === "RunCompleted")
      log(`<- ${event.agent_id}: ${(event as EventOf<"RunCompleted">).content}`);
  }
  const output = await stream.output;
  log(String(output.content));
  return output;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href)
  await main("How tall is the Eiffel Tower, and what is 330 * 3?");
