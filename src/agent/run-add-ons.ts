import type { Logger } from "pino";
import { errorMessage } from "../errors.js";
import { knowledgeSection, lookUp, searchKnowledgeTool } from "../knowledge/index.js";
import type { KnowledgeReferences, SearchResult } from "../knowledge/index.js";
import {
  MEMORIES_IN_CONTEXT,
  memorySection,
  memoryTools,
  updateSessionSummary,
  updateUserMemories,
} from "../memory/index.js";
import type { EventFactory, RunEvent, RunOptions, RunOutput } from "../run/index.js";
import type { MemoryRecord, SessionSummary, Store } from "../storage/index.js";
import type { Tool } from "../tool/index.js";
import type { Agent } from "./agent.js";

/** What knowledge and memory add to a run: tools, system-message sections, and work after the answer. */
export interface RunAddOns {
  tools: Tool[];
  sections: string[];
  /** What the run looked up in its knowledge. */
  references: KnowledgeReferences[];
  /** After the answer, before RunCompleted: memory and session-summary updates with their events. */
  after(run: RunOutput): AsyncGenerator<RunEvent, void>;
}

export interface AddOnContext {
  /** Where the run is kept (and memories with it). */
  store: Store | undefined;
  /** Where knowledge without a db of its own lives: the serving OS's db. */
  knowledgeStore: Store | undefined;
  run: RunOutput;
  /** The user's message as text. */
  userText: string;
  events: EventFactory;
  signal: AbortSignal;
  logger?: Logger;
  onNote?: RunOptions["onNote"];
}

export async function prepareAddOns(agent: Agent, ctx: AddOnContext): Promise<RunAddOns> {
  const o = agent.options;
  const { store, run, events, signal } = ctx;
  const tools: Tool[] = [];
  const sections: string[] = [];
  const references: KnowledgeReferences[] = [];

  const base = o.knowledge?.on(ctx.knowledgeStore);
  const settings = { filters: o.knowledgeFilters, limit: o.knowledge?.maxResults };
  if (base && (o.searchKnowledge ?? true)) tools.push(searchKnowledgeTool(base, settings, references));
  // Memories belong to a user: a run without one (or without a db) has none.
  const userId = run.user_id ?? undefined;
  const memoryStore = userId ? store : undefined;
  const memoryOn = !!(memoryStore && userId && (o.enableUserMemories || o.enableAgenticMemory));
  if (memoryOn && o.enableAgenticMemory) tools.push(...memoryTools(memoryStore!, userId!, agent.id));
  const taken = new Set(agent.tools().map((t) => t.name));
  const clash = tools.find((t) => taken.has(t.name));
  if (clash)
    throw new TypeError(
      `Agent '${agent.id}' has its own tool named '${clash.name}', which its knowledge or memory also needs`,
    );

  if (base && o.addKnowledgeToContext && ctx.userText.trim()) {
    const started = performance.now();
    const note = (results: number, error?: string) =>
      ctx.onNote?.({
        event: "KnowledgeLookup",
        run_id: run.run_id,
        started,
        ended: performance.now(),
        results,
        ...(error === undefined ? {} : { error }),
      });
    let found: SearchResult[];
    try {
      found = await lookUp(base, ctx.userText, settings, references, signal);
    } catch (err) {
      note(0, errorMessage(err));
      throw err;
    }
    note(found.length);
    const section = knowledgeSection(found);
    if (section) sections.push(section);
  }
  if (memoryOn && (o.addMemoriesToContext ?? true)) {
    const { memories } = await memoryStore!.memories.list({ userId, limit: MEMORIES_IN_CONTEXT, page: 1 });
    sections.push(memorySection(memories, !!o.enableAgenticMemory));
  }

  async function* after(finished: RunOutput): AsyncGenerator<RunEvent, void> {
    if (o.enableUserMemories && memoryStore && userId) {
      yield events.make("MemoryUpdateStarted", {});
      let changed: MemoryRecord[] = [];
      try {
        const result = await updateUserMemories({
          model: agent.memoryModel(),
          store: memoryStore,
          userId,
          agentId: agent.id,
          messages: [ctx.userText],
          signal,
        });
        changed = [...result.added, ...result.updated];
      } catch (err) {
        if (signal.aborted) throw err;
        ctx.logger?.warn(
          { err: errorMessage(err), run_id: finished.run_id },
          "updating user memories failed",
        );
      }
      yield events.make("MemoryUpdateCompleted", { memories: changed.map(memoryEventItem) });
    }
    if (o.enableSessionSummaries && store) {
      yield events.make("SessionSummaryStarted", {});
      let summary: SessionSummary | null = null;
      try {
        summary =
          (await updateSessionSummary({
            model: agent.memoryModel(),
            store,
            sessionId: finished.session_id,
            messages: finished.messages,
            signal,
          })) ?? null;
      } catch (err) {
        if (signal.aborted) throw err;
        ctx.logger?.warn(
          { err: errorMessage(err), run_id: finished.run_id },
          "updating the session summary failed",
        );
      }
      yield events.make("SessionSummaryCompleted", {
        session_summary: summary && { ...summary, updated_at: new Date(summary.updated_at).toISOString() },
      });
    }
  }

  return { tools, sections, references, after };
}

function memoryEventItem(m: MemoryRecord) {
  return {
    memory_id: m.memory_id,
    memory: m.memory,
    topics: m.topics,
    updated_at: new Date(m.updated_at).toISOString(),
  };
}
