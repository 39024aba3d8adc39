import type { ToolExecution, UserInputField } from "../run/index.js";
import { newToolExecution } from "../run/index.js";
import type { Tool } from "../tool/index.js";
import type { ToolCallRequest } from "./tool-runner.js";

/** True when the run must pause before this tool runs (confirmation, user input or external execution). */
export function pausesBefore(tool: Tool | undefined): tool is Tool {
  return !!tool && !!(tool.requiresConfirmation || tool.requiresUserInput || tool.externalExecution);
}

/** The execution a paused tool call is reported as: what the caller must resolve, in Agno's shape. */
export function pausedExecution(
  call: ToolCallRequest,
  tool: Tool,
  args: Record<string, unknown>,
): ToolExecution {
  const execution = newToolExecution(call.id, call.name, args, Math.floor(Date.now() / 1000));
  if (tool.requiresConfirmation) execution.requires_confirmation = true;
  if (tool.requiresUserInput) {
    execution.requires_user_input = true;
    execution.user_input_schema = userInputSchema(tool);
  }
  if (tool.externalExecution) execution.external_execution_required = true;
  return execution;
}

const FIELD_TYPES: Record<string, string> = {
  string: "str",
  integer: "int",
  number: "float",
  boolean: "bool",
  array: "list",
  object: "dict",
};

/** The fields the user fills: `userInputFields`, or every input field when none are named. */
export function userInputSchema(tool: Tool): UserInputField[] {
  const schema = tool.jsonSchema() as {
    properties?: Record<string, { type?: unknown; description?: string }>;
  };
  const properties = schema.properties ?? {};
  const names = tool.userInputFields?.length ? tool.userInputFields : Object.keys(properties);
  return names.map((name) => {
    const type = properties[name]?.type;
    return {
      name,
      field_type: (typeof type === "string" && FIELD_TYPES[type]) || "str",
      description: properties[name]?.description ?? null,
      value: null,
    };
  });
}
