import type { Media, Message, RunOutput } from "../../../run/index.js";
import { componentIdOf } from "../../../run/index.js";
import { agnoMetrics, isoFromSeconds, withoutNulls } from "./compact.js";

/** A message as Agno's `Message.to_dict` writes it (None dropped). */
export function agnoMessage(m: Message): Record<string, unknown> {
  return withoutNulls({
    role: m.role,
    content: m.content,
    tool_calls: m.tool_calls ?? null,
    tool_call_id: m.tool_call_id ?? null,
    tool_name: m.tool_name ?? null,
    tool_call_error: m.tool_call_error ?? null,
    reasoning_content: m.reasoning_content ?? null,
    from_history: m.from_history || null,
    created_at: m.created_at,
    ...mediaFields(m.media),
  });
}

/** Media split into Agno's images, audio, videos and files lists (with base64 content). */
function mediaFields(media: Media[] | undefined): Record<string, unknown> {
  if (!media?.length) return {};
  const out: Record<string, unknown[]> = {};
  const key: Record<string, string> = { image: "images", audio: "audio", video: "videos", file: "files" };
  for (const m of media) {
    const k = key[m.kind] ?? "files";
    (out[k] ??= []).push(
      withoutNulls({ id: m.id, content: m.content, mime_type: m.mime_type, filename: m.filename ?? null }),
    );
  }
  return out;
}

/** The input of a run as text: the message, or its JSON. */
export function runInputText(run: RunOutput): string {
  const input = run.input.input_content;
  return typeof input === "string" ? input : JSON.stringify(input ?? "");
}

/**
 * A run as `RunOutput.to_dict` writes it: the non-stream run answer and what polling returns.
 * None fields are dropped; times are epoch seconds.
 */
export function runOutputDict(run: RunOutput): Record<string, unknown> {
  const input = run.input.input_content;
  return withoutNulls({
    run_id: run.run_id,
    ...ownerFields(run),
    session_id: run.session_id,
    parent_run_id: run.parent_run_id,
    user_id: run.user_id,
    input: withoutNulls({ input_content: input, ...mediaInput(run.input.media) }),
    content: run.content,
    content_type: run.content_type,
    model: run.model,
    model_provider: run.model_provider,
    messages: run.messages.map(agnoMessage),
    metrics: agnoMetrics(run.metrics as unknown as Record<string, unknown>),
    tools: run.tools.length ? run.tools : null,
    session_state: run.session_state,
    metadata: run.metadata,
    references: run.references ?? null,
    member_responses: run.member_responses?.map(runOutputDict) ?? null,
    step_results: run.step_results ?? null,
    created_at: run.created_at,
    status: run.status,
  });
}

/** The id and name fields of the run's component, by kind. */
function ownerFields(run: RunOutput): Record<string, unknown> {
  if (run.component_kind === "team") return { team_id: run.team_id, team_name: run.team_name };
  if (run.component_kind === "workflow")
    return { workflow_id: run.workflow_id, workflow_name: run.workflow_name };
  return { agent_id: run.agent_id, agent_name: run.agent_name };
}

function mediaInput(media: Media[] | undefined): Record<string, unknown> {
  const fields = mediaFields(media);
  // RunInput calls its audio list `audios`.
  if (fields.audio) {
    fields.audios = fields.audio;
    delete fields.audio;
  }
  return fields;
}

/**
 * RunSchema, TeamRunSchema or WorkflowRunSchema (by the run's kind): what session history and run
 * listings return. These keep their None fields; `created_at` is ISO.
 */
export function runSchema(run: RunOutput): Record<string, unknown> {
  const common = {
    run_id: run.run_id,
    parent_run_id: run.parent_run_id,
    status: run.status,
    run_input: runInputText(run),
    content: run.content ?? null,
    metrics: agnoMetrics(run.metrics as unknown as Record<string, unknown>),
    created_at: isoFromSeconds(run.created_at),
    references: run.references ?? null,
    session_state: run.session_state,
  };
  if (run.component_kind === "workflow") {
    return {
      ...common,
      workflow_id: componentIdOf(run),
      user_id: run.user_id,
      content_type: run.content_type,
      step_results: run.step_results ?? null,
      events: null,
    };
  }
  const media = mediaFields(run.input.media);
  return {
    ...common,
    ...(run.component_kind === "team"
      ? { team_id: componentIdOf(run) }
      : { agent_id: componentIdOf(run), user_id: run.user_id }),
    run_response_format: typeof run.content === "string" || run.content == null ? "text" : "json",
    reasoning_content: null,
    reasoning_steps: null,
    messages: run.messages.filter((m) => m.role !== "system").map(agnoMessage),
    tools: run.tools.length ? run.tools : null,
    events: null,
    reasoning_messages: null,
    images: null,
    videos: null,
    audio: null,
    files: null,
    response_audio: null,
    input_media: Object.keys(media).length
      ? {
          images: media.images ?? null,
          videos: media.videos ?? null,
          audios: media.audio ?? null,
          files: media.files ?? null,
        }
      : null,
    citations: null,
    followups: null,
  };
}
