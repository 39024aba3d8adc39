import type { Logger } from "pino";
import { Agent } from "../../src/agent/index.js";
import { AgentOS } from "../../src/os/index.js";
import type { Store } from "../../src/storage/index.js";
import { docsKnowledge } from "./knowledge.js";
import { chooseDemoModel } from "./model.js";
import { calculator } from "./tools/calculator.js";
import { currentTime } from "./tools/clock.js";

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
  const os = new AgentOS({
    id: "agentos-demo",
    name: "AgentOS Demo",
    description: "The demo OS: an assistant with a calculator, a clock, the AgentOS docs and a memory.",
    agents: [assistant],
    db: options.db,
    logger: options.logger,
    env,
  });
  return { os, offline: choice.offline, modelReason: choice.reason };
}
