import type { ComponentInfo, StepInfo } from "../../../run/index.js";
import { withoutNulls } from "./compact.js";

/** Agno's provider names for the provider prefixes of our model strings. */
const PROVIDERS: Record<string, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  google: "Google",
  ollama: "Ollama",
  groq: "Groq",
  mistral: "Mistral",
  azure: "AzureOpenAI",
  bedrock: "AwsBedrock",
  openrouter: "OpenRouter",
};

/** "openai:gpt-4o" → `{id: "gpt-4o", provider: "OpenAI"}`; null for components without a model. */
export function modelParts(spec: string | null): { id: string; provider: string } | null {
  if (!spec) return null;
  const at = spec.indexOf(":");
  if (at < 0) return { id: spec, provider: spec };
  const prefix = spec.slice(0, at);
  return { id: spec.slice(at + 1), provider: PROVIDERS[prefix.toLowerCase()] ?? prefix };
}

/** AgentResponse's `model`: `{name, model, provider}`. */
export function agnoModel(spec: string | null): Record<string, string> | null {
  const m = modelParts(spec);
  return m && { name: m.id, model: m.id, provider: m.provider };
}

/** The db a component stores in: its own, else the OS's (as Agno injects its db into entities without one). */
const dbOf = (info: ComponentInfo, osDbId: string) => info.dbId ?? osDbId;

/** AgentResponse (None fields dropped; each section keeps only what is set). */
export function agentResponse(info: ComponentInfo, osDbId: string): Record<string, unknown> {
  const s = info.settings;
  return withoutNulls({
    id: info.id,
    name: info.name,
    db_id: dbOf(info, osDbId),
    description: info.description,
    model: agnoModel(info.model),
    tools: info.tools.length
      ? withoutNulls({ tools: info.tools, tool_call_limit: s.tool_call_limit ?? null })
      : null,
    sessions: withoutNulls({
      session_table: "sessions",
      add_history_to_context: s.add_history_to_context ?? null,
      num_history_runs: s.add_history_to_context ? (s.num_history_runs ?? null) : null,
    }),
    knowledge: info.hasKnowledge
      ? withoutNulls({
          knowledge_table: "knowledge_contents",
          knowledge_id: s.knowledge_id ?? null,
          search_knowledge: s.search_knowledge ?? null,
        })
      : null,
    memory: info.hasMemory
      ? withoutNulls({
          memory_table: "memories",
          enable_user_memories: s.enable_user_memories ?? null,
          enable_agentic_memory: s.enable_agentic_memory ?? null,
          enable_session_summaries: s.enable_session_summaries ?? null,
        })
      : null,
    system_message: info.instructions ? { instructions: info.instructions } : null,
    streaming: { stream: true, stream_events: true },
    is_factory: false,
    is_component: false,
  });
}

/** TeamResponse: AgentResponse-like, plus `mode` and `members` (their full responses when they are known). */
export function teamResponse(
  info: ComponentInfo,
  osDbId: string,
  member: (kind: string, id: string) => ComponentInfo | undefined,
): Record<string, unknown> {
  const base = agentResponse(info, osDbId);
  delete base.knowledge;
  delete base.memory;
  return {
    ...base,
    mode: info.mode ?? "coordinate",
    members: (info.members ?? []).map((m) => {
      const full = member(m.kind, m.id);
      if (!full) return { id: m.id, name: m.name };
      return full.kind === "team" ? teamResponse(full, osDbId, member) : agentResponse(full, osDbId);
    }),
  };
}

/** WorkflowSummaryResponse: the short form of lists and /config. */
export function workflowSummary(info: ComponentInfo, osDbId: string): Record<string, unknown> {
  return withoutNulls({
    id: info.id,
    name: info.name,
    description: info.description,
    db_id: dbOf(info, osDbId),
    is_factory: false,
    is_component: false,
  });
}

/** The workflow detail: the summary plus its input schema and steps. */
export function workflowResponse(info: ComponentInfo, osDbId: string): Record<string, unknown> {
  return withoutNulls({
    ...workflowSummary(info, osDbId),
    input_schema: info.settings.input_schema ?? null,
    steps: (info.steps ?? []).map(stepResponse),
    workflow_agent: false,
  });
}

/** A step as Agno lists it: name, type, and what it runs. */
function stepResponse(s: StepInfo): Record<string, unknown> {
  return withoutNulls({
    name: s.name,
    type: s.kind,
    agent: s.kind === "agent" && s.ref ? { id: s.ref } : null,
    team: s.kind === "team" && s.ref ? { id: s.ref } : null,
    executor: s.kind === "function" ? (s.ref ?? s.name) : null,
    steps: s.steps?.map(stepResponse) ?? null,
  });
}
