import type { ComponentInfo, ComponentKind, RunOutput, StepInfo } from "../../run/index.js";
import { componentIdOf } from "../../run/index.js";
import type { KnowledgeBase } from "../../knowledge/index.js";
import type { ContentRecord, MemoryRecord, SessionRecord } from "../../storage/index.js";
import { isoFromSeconds, isoTime } from "../schemas/fields.js";

/** The root surface's shapes (api-contract.md sections 2 and 3). */

export function componentListItem(info: ComponentInfo): Record<string, unknown> {
  const item: Record<string, unknown> = {
    id: info.id,
    name: info.name,
    description: info.description,
    model: info.model,
    tools: info.toolNames,
    has_knowledge: info.hasKnowledge,
    has_memory: info.hasMemory,
  };
  if (info.kind === "team") {
    item.members = (info.members ?? []).map((m) => ({ id: m.id, name: m.name, type: m.kind }));
    item.mode = info.mode ?? null;
  }
  if (info.kind === "workflow") item.steps = (info.steps ?? []).map(stepItem);
  return item;
}

/** `{"name","agent": id}` (or team, function) for a step that runs something; composite steps list theirs. */
function stepItem(s: StepInfo): Record<string, unknown> {
  return {
    name: s.name,
    type: s.kind,
    ...(s.ref !== undefined ? { [s.kind]: s.ref } : {}),
    ...(s.steps ? { steps: s.steps.map(stepItem) } : {}),
  };
}

export function componentDetail(info: ComponentInfo): Record<string, unknown> {
  return {
    ...componentListItem(info),
    instructions: info.instructions,
    tool_schemas: info.tools,
    knowledge: { enabled: info.hasKnowledge },
    memory: { enabled: info.hasMemory },
    settings: info.settings,
    db_id: info.dbId,
  };
}

const ID_KEY: Record<ComponentKind, string> = { agent: "agent_id", team: "team_id", workflow: "workflow_id" };

/** A run in the non-stream shape; `live` gives status and content of a run still in progress. */
export function runResponse(run: RunOutput): Record<string, unknown> {
  const m = run.metrics;
  return {
    run_id: run.run_id,
    session_id: run.session_id,
    [ID_KEY[run.component_kind]]: componentIdOf(run),
    user_id: run.user_id,
    parent_run_id: run.parent_run_id,
    status: run.status,
    content: run.content,
    content_type: run.content_type,
    messages: run.messages
      .filter((msg) => msg.role !== "system")
      .map((msg) => ({
        role: msg.role,
        content: msg.content,
        ...(msg.tool_calls ? { tool_calls: msg.tool_calls } : {}),
        ...(msg.tool_call_id ? { tool_call_id: msg.tool_call_id } : {}),
      })),
    tools: run.tools,
    metrics: {
      time: m.time,
      input_tokens: m.input_tokens,
      output_tokens: m.output_tokens,
      total_tokens: m.total_tokens,
      time_to_first_token: m.time_to_first_token,
      cache_read_tokens: m.cache_read_tokens,
      cache_write_tokens: m.cache_write_tokens,
      reasoning_tokens: m.reasoning_tokens,
      model_requests: m.model_requests,
      tool_calls: m.tool_calls,
    },
    model: run.model,
    model_provider: run.model_provider,
    session_state: run.session_state,
    error: run.error,
    ...(run.member_responses ? { member_responses: run.member_responses.map(runResponse) } : {}),
    ...(run.step_results ? { step_results: run.step_results } : {}),
    ...(run.references ? { references: run.references } : {}),
    created_at: isoFromSeconds(run.created_at),
    updated_at: isoFromSeconds(run.updated_at),
  };
}

export function sessionListItem(s: SessionRecord): Record<string, unknown> {
  return {
    session_id: s.session_id,
    session_type: s.session_type,
    user_id: s.user_id,
    agent_id: s.agent_id,
    team_id: s.team_id,
    workflow_id: s.workflow_id,
    session_name: s.session_name,
    created_at: isoTime(s.created_at),
    updated_at: isoTime(s.updated_at),
    message_count: s.message_count,
    run_count: s.run_count,
  };
}

export function sessionDetail(
  s: SessionRecord,
  runs: RunOutput[],
  topics: string[],
): Record<string, unknown> {
  const messages: Record<string, unknown>[] = [];
  for (const run of runs) {
    for (const msg of run.messages) {
      if (msg.role === "user" || (msg.role === "assistant" && msg.content)) {
        messages.push({
          role: msg.role,
          content: msg.content,
          timestamp: isoFromSeconds(msg.created_at),
          run_id: run.run_id,
        });
      }
    }
  }
  return {
    ...sessionListItem(s),
    session_state: s.session_state,
    metadata: s.metadata,
    messages,
    memory: { topics, summary: s.summary?.summary ?? null },
    runs: runs.map((r) => ({ run_id: r.run_id, status: r.status, created_at: isoFromSeconds(r.created_at) })),
  };
}

export function knowledgeInstance(base: KnowledgeBase, documentCount: number): Record<string, unknown> {
  return {
    id: base.id,
    name: base.knowledge.name,
    description: base.knowledge.description,
    db_id: base.store.id,
    table: "knowledge_contents",
    document_count: documentCount,
    search_types: base.knowledge.embedder ? ["keyword", "vector", "hybrid"] : ["keyword"],
  };
}

export function contentItem(c: ContentRecord): Record<string, unknown> {
  return {
    id: c.id,
    knowledge_id: c.knowledge_id,
    name: c.name,
    description: c.description,
    type: c.type,
    size: c.size,
    source: c.source,
    content_hash: c.content_hash,
    metadata: c.metadata,
    status: c.status,
    status_message: c.status_message,
    chunk_count: c.chunk_count,
    created_at: isoTime(c.created_at),
    updated_at: isoTime(c.updated_at),
  };
}

export function memoryItem(m: MemoryRecord): Record<string, unknown> {
  return {
    memory_id: m.memory_id,
    memory: m.memory,
    topics: m.topics,
    user_id: m.user_id,
    agent_id: m.agent_id,
    team_id: m.team_id,
    created_at: isoTime(m.created_at),
    updated_at: isoTime(m.updated_at),
  };
}

/** Agno's paginated envelope, `page` 1-based. */
export function paginated(
  data: unknown[],
  page: number,
  limit: number,
  total: number,
): Record<string, unknown> {
  return { data, meta: { page, limit, total_pages: Math.ceil(total / limit), total_count: total } };
}
