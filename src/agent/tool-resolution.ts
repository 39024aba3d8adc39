import { BadRequestError, ConflictError, ValidationError } from "../errors.js";
import type { ValidationIssue } from "../errors.js";
import type { RunOutput, ToolExecution, ToolResolution } from "../run/index.js";
import type { Tool } from "../tool/index.js";
import { stringify } from "./tool-runner.js";

/** What happens to one paused tool call when its run goes on. */
export type ResolvedCall =
  | { kind: "run"; execution: ToolExecution; args: Record<string, unknown> }
  | { kind: "rejected"; execution: ToolExecution; note: string | null }
  | { kind: "external"; execution: ToolExecution; result: string };

/** The tool calls a paused run waits for. */
export function pendingTools(run: RunOutput): ToolExecution[] {
  return run.tools.filter(
    (t) =>
      t.result === null &&
      !!(t.requires_confirmation || t.requires_user_input || t.external_execution_required),
  );
}

/**
 * Matches the caller's resolutions to the paused calls and checks them: every paused call resolved
 * (confirmed true or false; every input field given a value; an external result), no unknown calls,
 * and user input valid for the tool. Throws a 400 or 422 error that names the call; changes nothing.
 */
export function resolvePausedTools(
  run: RunOutput,
  resolutions: readonly ToolResolution[],
  tools: ReadonlyMap<string, Tool>,
): ResolvedCall[] {
  const pending = pendingTools(run);
  if (pending.length === 0) throw new ConflictError(`Run '${run.run_id}' has no tool calls to resolve`);
  const byId = new Map<string, { r: ToolResolution; index: number }>();
  resolutions.forEach((r, index) => {
    if (!pending.some((p) => p.tool_call_id === r.tool_call_id))
      throw new BadRequestError(`Tool call '${r.tool_call_id}' is not waiting for a resolution in this run`);
    byId.set(r.tool_call_id, { r, index });
  });
  return pending.map((paused) => {
    const found = byId.get(paused.tool_call_id);
    const what = `Tool call '${paused.tool_call_id}' (${paused.tool_name})`;
    if (!found) throw new BadRequestError(`${what} is not resolved`);
    const { r, index } = found;
    const execution: ToolExecution = { ...paused, tool_args: { ...paused.tool_args } };
    if (paused.requires_confirmation) {
      if (typeof r.confirmed !== "boolean")
        throw new BadRequestError(`${what} needs "confirmed": true or false`);
      execution.confirmed = r.confirmed;
      execution.confirmation_note = typeof r.confirmation_note === "string" ? r.confirmation_note : null;
      if (!r.confirmed) return { kind: "rejected", execution, note: execution.confirmation_note };
    }
    if (paused.external_execution_required) {
      if (r.result === undefined || r.result === null)
        throw new BadRequestError(`${what} is executed by the caller: send its "result"`);
      return { kind: "external", execution, result: stringify(r.result) };
    }
    if (paused.requires_user_input) {
      const given = new Map(
        (Array.isArray(r.user_input_schema) ? r.user_input_schema : []).map((f) => [f.name, f]),
      );
      const fields = (paused.user_input_schema ?? []).map((field) => {
        const value = given.get(field.name)?.value;
        if (value === undefined || value === null)
          throw new BadRequestError(`${what} needs a value for the field '${field.name}'`);
        return { ...field, value };
      });
      execution.user_input_schema = fields;
      execution.answered = true;
      for (const f of fields) execution.tool_args[f.name] = f.value;
      checkInput(tools.get(paused.tool_name), execution.tool_args, index);
    }
    return { kind: "run", execution, args: execution.tool_args };
  });
}

/** User input must satisfy the tool's schema (422 naming the field); the model's own arguments are checked when the tool runs. */
function checkInput(tool: Tool | undefined, args: Record<string, unknown>, index: number): void {
  if (!tool) return;
  const parsed = tool.input.safeParse(args);
  if (parsed.success) return;
  const issues: ValidationIssue[] = parsed.error.issues.map((issue) => ({
    loc: ["body", "tools", index, "user_input_schema", ...issue.path.map(String)],
    msg: issue.message,
    type: issue.code,
  }));
  throw new ValidationError(issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; "), issues);
}
