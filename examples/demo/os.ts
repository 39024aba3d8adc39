import type { Logger } from "pino";
import { Agent } from "../../src/agent/index.js";
import { AgentOS } from "../../src/os/index.js";
import type { Store } from "../../src/storage/index.js";
import { Team } from "../../src/team/index.js";
import { Workflow, step } from "../../src/workflow/index.js";
import { orderWorkflow } from "../workflows/order-workflow.js";
import { docsKnowledge } from "./knowledge.js";
import { chooseDemoModel } from "./model.js";
import { calculator } from "./tools/calculator.js";
import { currentTime } from "./tools/clock.js";
import { lookupFact } from "./tools/facts.js";

export interface DemoOptions {
  env?: Record<string, string | undefined>;
  db?: Store;
  logger?: Logger;
}

/** The demo OS that `npm start` serves. */
export function createDemoOS(options: DemoOptions = {}): {
  os: AgentOS;
  offline: boolean;
  modelReason: string;
} {
  const env = options.env ?? process.env;
  const choice = chooseDemoModel(env);
  const assistant = new Agent({
    id: "assistant",
    name: "Assistant",
    description:
      "A helpful assistant that can do arithmetic, tell the time and answer questions about AgentOS.",
    model: choice.model,
    instructions: [
      "Be brief and precise.",
      "Use the calculator for any arithmetic.",
      "Use current_time for questions about the time or date.",
      "Use search_knowledge for questions about AgentOS and answer from what it finds.",
    ],
    tools: [calculator, currentTime],
    knowledge: docsKnowledge(),
    addHistoryToContext: true,
    numHistoryRuns: 5,
    enableUserMemories: true,
    enableSessionSummaries: true,
  });
  const researcher = new Agent({
    id: "researcher",
    name: "Researcher",
    role: "Finds facts about places, nature and science in the fact list",
    model: choice.model,
    instructions: ["Look facts up with lookup_fact; report only what it returns.", "Be brief."],
    tools: [lookupFact],
  });
  const analyst = new Agent({
    id: "analyst",
    name: "Analyst",
    role: "Works out numbers with the calculator",
    model: choice.model,
    instructions: ["Use the calculator for every number you give.", "Be brief."],
    tools: [calculator],
  });
  const writer = new Agent({
    id: "writer",
    name: "Writer",
    role: "Writes a short, clear paragraph from research notes",
    model: choice.model,
    instructions: ["Write one short paragraph for a general reader, using only the notes you are given."],
  });
  const researchTeam = new Team({
    id: "research-team",
    name: "Research Team",
    description: "A researcher with a fact list and an analyst with a calculator, led by a coordinator.",
    mode: "coordinate",
    model: choice.model,
    members: [researcher, analyst],
    instructions: [
      "Ask the researcher for facts and the analyst for arithmetic, then answer in a few lines.",
    ],
    addHistoryToContext: true,
  });
  const contentWorkflow = new Workflow({
    id: "content-workflow",
    name: "Content Workflow",
    description: "Researches a topic, writes a paragraph about it, and formats it with a word count.",
    steps: [
      step({ name: "research", agent: researcher }),
      step({
        name: "write",
        agent: writer,
        input: (s) => `Topic: ${String(s.input)}\n\nResearch notes:\n${String(s.previousOutput)}`,
      }),
      step({ name: "format", run: formatArticle }),
    ],
  });
  const os = new AgentOS({
    id: "agentos-demo",
    name: "AgentOS Demo",
    description:
      "The demo OS: an assistant with a calculator, a clock, the AgentOS docs and a memory; a research team, a content workflow and an order workflow.",
    agents: [assistant, researcher, analyst, writer],
    teams: [researchTeam],
    workflows: [contentWorkflow, orderWorkflow()],
    db: options.db,
    logger: options.logger,
    env,
  });
  return { os, offline: choice.offline, modelReason: choice.reason };
}

/** The workflow's last step: a title, the paragraph and its word count, streamed line by line. */
async function* formatArticle(s: { input: unknown; previousOutput: unknown }): AsyncGenerator<string> {
  const text = String(s.previousOutput ?? "").trim();
  const words = text.split(/\s+/).filter(Boolean).length;
  yield `# ${String(s.input).trim()}\n\n`;
  yield `${text}\n\n`;
  yield `(${words} word${words === 1 ? "" : "s"})`;
}
