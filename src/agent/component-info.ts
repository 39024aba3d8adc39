import type { ComponentInfo } from "../run/index.js";
import type { Tool } from "../tool/index.js";

/** Tools as component listings show them: name, description and JSON schema of the arguments. */
export function toolDescriptions(tools: readonly Tool[]): ComponentInfo["tools"] {
  return tools.map((t) => ({ name: t.name, description: t.description, parameters: t.jsonSchema() }));
}

/** Instructions given as lines read as one text. */
export function instructionsText(instructions: string | string[] | undefined): string | null {
  if (instructions === undefined) return null;
  return typeof instructions === "string" ? instructions : instructions.join("\n");
}
