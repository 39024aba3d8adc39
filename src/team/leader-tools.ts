import type { Tool, ToolContext } from "../tool/index.js";

/**
 * A leader tool for one run: the team's template (its schemas made once, on first use) with an
 * `execute` bound to this run's members, task list or answers.
 */
export function bindTool<I>(template: Tool<I>, execute: (input: I, ctx: ToolContext) => unknown): Tool<I> {
  return {
    kind: "tool",
    name: template.name,
    description: template.description,
    input: template.input,
    stopAfterCall: template.stopAfterCall,
    execute,
    jsonSchema: () => template.jsonSchema(),
  };
}

/** The execute of a template, which only lends its name and schemas. */
export function unbound(): never {
  throw new Error("A leader tool template runs only once bound to a run");
}
