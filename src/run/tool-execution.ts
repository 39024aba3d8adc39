/** A field the user must fill before a paused tool can run. */
export interface UserInputField {
  name: string;
  field_type: string;
  description: string | null;
  value: unknown;
}

/** One tool call of a run, as Agno reports it: every key present, null allowed. */
export interface ToolExecution {
  tool_call_id: string;
  tool_name: string;
  tool_args: Record<string, unknown>;
  tool_call_error: boolean | null;
  result: string | null;
  metrics: { start_time: number; end_time: number | null; duration: number | null } | null;
  child_run_id: string | null;
  stop_after_tool_call: boolean;
  created_at: number;
  requires_confirmation: boolean | null;
  confirmed: boolean | null;
  confirmation_note: string | null;
  requires_user_input: boolean | null;
  user_input_schema: UserInputField[] | null;
  answered: boolean | null;
  external_execution_required: boolean | null;
}

export function newToolExecution(
  id: string,
  name: string,
  args: Record<string, unknown>,
  createdAt: number,
): ToolExecution {
  return {
    tool_call_id: id,
    tool_name: name,
    tool_args: args,
    tool_call_error: null,
    result: null,
    metrics: null,
    child_run_id: null,
    stop_after_tool_call: false,
    created_at: createdAt,
    requires_confirmation: null,
    confirmed: null,
    confirmation_note: null,
    requires_user_input: null,
    user_input_schema: null,
    answered: null,
    external_execution_required: null,
  };
}
