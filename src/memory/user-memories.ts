import type { JSONSchema7, LanguageModelV3 } from "@ai-sdk/provider";
import { z } from "zod";
import { newId } from "../ids.js";
import type { MemoryRecord, Store } from "../storage/index.js";
import { generateJson } from "./model-json.js";

/** The name of the extraction task in the model's response format. */
export const MEMORY_TASK = "memory_update";

/** The most memories a model sees (most recently updated first) and may add per run. */
export const MEMORIES_IN_CONTEXT = 50;
const MAX_ADDS = 10;
const MAX_LENGTH = 5000;

const topics = { type: "array", items: { type: "string" } } as const;
const SCHEMA: JSONSchema7 = {
  type: "object",
  properties: {
    add: {
      type: "array",
      items: {
        type: "object",
        properties: { memory: { type: "string" }, topics },
        required: ["memory", "topics"],
        additionalProperties: false,
      },
    },
    update: {
      type: "array",
      items: {
        type: "object",
        properties: { memory_id: { type: "string" }, memory: { type: "string" }, topics },
        required: ["memory_id", "memory", "topics"],
        additionalProperties: false,
      },
    },
    delete: { type: "array", items: { type: "string" } },
  },
  required: ["add", "update", "delete"],
  additionalProperties: false,
};

const text = z.string().trim().min(1).max(MAX_LENGTH);
const Update = z.object({
  add: z.array(z.object({ memory: text, topics: z.array(z.string()).default([]) })).default([]),
  update: z
    .array(z.object({ memory_id: z.string(), memory: text, topics: z.array(z.string()).default([]) }))
    .default([]),
  delete: z.array(z.string()).default([]),
});

const SYSTEM = `You maintain long-term memories about a user, so that later conversations can be personal.
From the user's new messages, keep what is worth remembering for a long time: their name, preferences, likes and dislikes, plans, circumstances, and anything they ask to be remembered. Do not store questions, one-off requests, or what the assistant said.
Write each memory as one short sentence about the user in the third person ("The user ..."), with one or two lowercase topics.
Update an existing memory only when the new messages change or refine it; delete one only when the user says it is no longer true or asks to forget it. Never repeat a memory that already exists.
Answer with JSON: {"add":[{"memory","topics"}],"update":[{"memory_id","memory","topics"}],"delete":["memory_id"]}, with empty lists when nothing changes.`;

export interface MemoryUpdateInput {
  model: LanguageModelV3;
  store: Store;
  userId: string;
  agentId?: string;
  teamId?: string;
  /** The user's messages of the run. */
  messages: string[];
  signal?: AbortSignal;
}

export interface MemoryUpdateResult {
  added: MemoryRecord[];
  updated: MemoryRecord[];
  deleted: string[];
}

/** Asks the model what to remember from the run's user messages and applies its answer to the user's memories. */
export async function updateUserMemories(input: MemoryUpdateInput): Promise<MemoryUpdateResult> {
  const { store, userId } = input;
  const existing = (await store.memories.list({ userId, limit: MEMORIES_IN_CONTEXT, page: 1 })).memories;
  const listed =
    existing
      .map(
        (m) => `- [${m.memory_id}] ${m.memory}${m.topics.length ? ` (topics: ${m.topics.join(", ")})` : ""}`,
      )
      .join("\n") || "(none)";
  const answer = await generateJson(input.model, {
    name: MEMORY_TASK,
    system: `${SYSTEM}\n\nExisting memories:\n${listed}`,
    user: input.messages.join("\n\n"),
    schema: SCHEMA,
    parse: Update,
    signal: input.signal,
  });
  const owned = new Set(existing.map((m) => m.memory_id));
  const known = new Set(existing.map((m) => m.memory.trim().toLowerCase()));
  const result: MemoryUpdateResult = { added: [], updated: [], deleted: [] };
  const source = input.messages.join("\n\n").slice(0, MAX_LENGTH);
  for (const add of answer.add.slice(0, MAX_ADDS)) {
    if (known.has(add.memory.toLowerCase())) continue;
    known.add(add.memory.toLowerCase());
    const now = Date.now();
    result.added.push(
      await store.memories.create({
        memory_id: newId(),
        user_id: userId,
        memory: add.memory,
        topics: add.topics,
        agent_id: input.agentId ?? null,
        team_id: input.teamId ?? null,
        input: source,
        created_at: now,
        updated_at: now,
      }),
    );
  }
  // Only memories the model was shown (this user's) may be changed.
  for (const u of answer.update) {
    if (!owned.has(u.memory_id)) continue;
    const m = await store.memories.update(u.memory_id, { memory: u.memory, topics: u.topics });
    if (m) result.updated.push(m);
  }
  const doomed = answer.delete.filter((id) => owned.has(id));
  if (doomed.length) {
    await store.memories.deleteMany(doomed, userId);
    result.deleted.push(...doomed);
  }
  return result;
}
