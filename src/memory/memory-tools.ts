import { z } from "zod";
import { newId } from "../ids.js";
import type { MemoryRecord, Store } from "../storage/index.js";
import { tool } from "../tool/index.js";
import type { Tool } from "../tool/index.js";

const topics = z.array(z.string()).max(10).optional().describe("One or two lowercase words each");

/** Tools with which the model keeps the user's memories itself (agentic memory). */
export function memoryTools(store: Store, userId: string, agentId: string): Tool[] {
  const owned = async (memoryId: string): Promise<MemoryRecord> => {
    const m = await store.memories.get(memoryId);
    if (!m || m.user_id !== userId) throw new Error(`There is no memory with id '${memoryId}' for this user`);
    return m;
  };
  const shown = (m: MemoryRecord) => ({ memory_id: m.memory_id, memory: m.memory, topics: m.topics });
  return [
    tool({
      name: "add_memory",
      description:
        "Remember a lasting fact about the user (their name, a preference, a plan), as one short sentence.",
      input: z.object({ memory: z.string().min(1).max(5000), topics }),
      execute: async ({ memory, topics: t }) => {
        const now = Date.now();
        const m = await store.memories.create({
          memory_id: newId(),
          user_id: userId,
          memory,
          topics: t ?? [],
          agent_id: agentId,
          team_id: null,
          input: null,
          created_at: now,
          updated_at: now,
        });
        return { added: shown(m) };
      },
    }),
    tool({
      name: "update_memory",
      description: "Replace the text (and topics) of one of the user's memories, by its memory_id.",
      input: z.object({ memory_id: z.string().min(1), memory: z.string().min(1).max(5000), topics }),
      execute: async ({ memory_id, memory, topics: t }) => {
        await owned(memory_id);
        const m = await store.memories.update(memory_id, { memory, ...(t ? { topics: t } : {}) });
        return { updated: shown(m!) };
      },
    }),
    tool({
      name: "delete_memory",
      description:
        "Forget one of the user's memories, by its memory_id (when it is no longer true or the user asks).",
      input: z.object({ memory_id: z.string().min(1) }),
      execute: async ({ memory_id }) => {
        await owned(memory_id);
        await store.memories.delete(memory_id);
        return { deleted: memory_id };
      },
    }),
  ];
}

/** The system-message section with what the agent remembers about the user. */
export function memorySection(memories: readonly MemoryRecord[], withTools: boolean): string {
  const lines = memories.map((m) => `- ${m.memory}${withTools ? ` [memory_id: ${m.memory_id}]` : ""}`);
  const parts = [
    "What you remember about the user (use it to personalise your answers):",
    lines.length ? lines.join("\n") : "- nothing yet",
  ];
  if (withTools)
    parts.push(
      "When the user tells you something worth remembering, or asks you to forget something, use add_memory, update_memory or delete_memory.",
    );
  return parts.join("\n");
}
