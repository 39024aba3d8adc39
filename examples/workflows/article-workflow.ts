/**
 * A workflow of an agent step, a second agent step and a function step that streams. It runs
 * offline with the demo model; give the agents a real model to get real prose.
 *
 *   npx tsx examples/workflows/article-workflow.ts
 */
import { pathToFileURL } from "node:url";
import { Agent, OfflineDemoModel, Workflow, step } from "../../src/index.js";
import { lookupFact } from "../demo/tools/facts.js";

const model = new OfflineDemoModel({ delayMs: 0 });

const researcher = new Agent({ name: "Researcher", model, tools: [lookupFact] });
const writer = new Agent({
  name: "Writer",
  model,
  instructions: "Write one short paragraph from the notes.",
});

export const articleWorkflow = new Workflow({
  name: "Article",
  steps: [
    // An agent step gets the workflow's input; the next one gets the input and this step's output.
    step({ name: "research", agent: researcher }),
    step({
      name: "write",
      agent: writer,
      input: (s) => `Topic: ${String(s.input)}\n\nNotes:\n${String(s.previousOutput)}`,
    }),
    // A function step may stream: each yielded string is a RunContent event of the workflow.
    step({
      name: "format",
      run: async function* (s) {
        yield `# ${String(s.input)}\n\n`;
        yield `${String(s.previousOutput)}\n\n`;
        yield `Sources: ${String(s.outputs.research)}`;
      },
    }),
  ],
});

export async function main(topic: string, log: (line: string) => void = console.log) {
  const stream = articleWorkflow.run(topic);
  for await (const event of stream) {
    if (event.event === "StepStarted") log(`step ${event.step_index}: ${event.step_name}`);
  }
  const output = await stream.output;
  log(String(output.content));
  return output;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main("The Moon");
