import type { RunOutput } from "../../../run/index.js";
import type { SessionRecord } from "../../../storage/index.js";
import { agnoMetrics, isoFromMs } from "./compact.js";
import { agnoMessage, runInputText } from "./runs.js";

/** What a session is called: its name, else the first message of its first run (as Agno shows it). */
export function displayName(s: SessionRecord, firstRun: RunOutput | undefined): string | null {
  if (s.session_name) return s.session_name;
  return firstRun ? runInputText(firstRun) : null;
}

/** SessionSchema: an item of the session list. */
export function sessionSchema(s: SessionRecord, name: string | null): Record<string, unknown> {
  return {
    session_id: s.session_id,
    session_name: name,
    session_state: s.session_state,
    created_at: isoFromMs(s.created_at),
    updated_at: isoFromMs(s.updated_at),
    session_type: s.session_type,
    user_id: s.user_id,
    agent_id: s.agent_id,
    team_id: s.team_id,
    workflow_id: s.workflow_id,
    session_summary: s.summary ? { summary: s.summary.summary, topics: s.summary.topics ?? [] } : null,
    metrics: null,
    total_tokens: null,
    metadata: s.metadata,
  };
}

/** Agent, team or workflow session detail, by the session's type. */
export function sessionDetail(
  s: SessionRecord,
  runs: RunOutput[],
  componentName: string | null,
): Record<string, unknown> {
  const name = displayName(s, runs[0]);
  const created = isoFromMs(s.created_at);
  const updated = isoFromMs(s.updated_at);
  if (s.session_type === "workflow") {
    return {
      user_id: s.user_id,
      workflow_id: s.workflow_id,
      workflow_name: componentName,
      session_id: s.session_id,
      session_name: name,
      session_data: { session_name: name, session_state: s.session_state },
      session_state: s.session_state,
      workflow_data: { workflow_id: s.workflow_id, name: componentName },
      metadata: s.metadata,
      created_at: created,
      updated_at: updated,
    };
  }
  let total = 0;
  const tokens: Record<string, number> = {};
  for (const r of runs) {
    total += r.metrics.total_tokens;
    for (const k of ["input_tokens", "output_tokens", "total_tokens"] as const)
      tokens[k] = (tokens[k] ?? 0) + r.metrics[k];
  }
  const kind = s.session_type;
  return {
    user_id: s.user_id,
    [`${kind}_session_id`]: s.session_id,
    session_id: s.session_id,
    session_name: name,
    session_summary: s.summary ? { summary: s.summary.summary, topics: s.summary.topics ?? [] } : null,
    session_state: s.session_state,
    [`${kind}_id`]: kind === "team" ? s.team_id : s.agent_id,
    total_tokens: total,
    [`${kind}_data`]: { [`${kind}_id`]: s.component_id, name: componentName },
    metrics: agnoMetrics(tokens),
    metadata: s.metadata,
    chat_history: chatHistory(runs),
    created_at: created,
    updated_at: updated,
  };
}

/** The session's conversation: each run's own messages (not those it copied from history), system prompts left out. */
function chatHistory(runs: RunOutput[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const run of runs)
    for (const m of run.messages) if (m.role !== "system" && !m.from_history) out.push(agnoMessage(m));
  return out;
}
