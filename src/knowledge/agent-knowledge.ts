import { z } from "zod";
import { tool } from "../tool/index.js";
import type { Tool } from "../tool/index.js";
import type { KnowledgeBase } from "./knowledge-base.js";
import type { SearchResult } from "./search.js";
import type { MetadataFilters } from "../storage/index.js";

/** What a run looked up in its knowledge: recorded on the run (`references`) and sent with RunCompleted. */
export interface KnowledgeReferences {
  query: string;
  references: SearchResult[];
  /** Seconds the search took. */
  time: number;
}

export interface AgentKnowledgeSettings {
  filters?: MetadataFilters;
  limit?: number;
}

/** Looks up the knowledge base and records what was found. */
export async function lookUp(
  base: KnowledgeBase,
  query: string,
  settings: AgentKnowledgeSettings,
  found: KnowledgeReferences[],
  signal?: AbortSignal,
): Promise<SearchResult[]> {
  const res = await base.search(query, { limit: settings.limit, filters: settings.filters, signal });
  found.push({ query, references: res.results, time: Math.round(res.timeMs) / 1000 });
  return res.results;
}

/** The `search_knowledge` tool: the model decides when and what to look up (agentic retrieval). */
export function searchKnowledgeTool(
  base: KnowledgeBase,
  settings: AgentKnowledgeSettings,
  found: KnowledgeReferences[],
): Tool {
  const description = base.knowledge.description;
  return tool({
    name: "search_knowledge",
    description: `Search the knowledge base '${base.knowledge.name}'${description ? ` (${description})` : ""} for passages relevant to a query. Use it before answering questions the knowledge base may cover, and answer from what it returns.`,
    input: z.object({ query: z.string().min(1).describe("What to look for, in a few words") }),
    execute: async ({ query }, ctx) => {
      const results = await lookUp(base, query, settings, found, ctx.signal);
      if (results.length === 0) return "No matching passages were found in the knowledge base.";
      return results.map((r) => ({ source: r.name, content: r.content, score: Number(r.score.toFixed(4)) }));
    },
  });
}

/** A system-message section with the passages most relevant to the user's message (context retrieval). */
export function knowledgeSection(results: SearchResult[]): string | undefined {
  if (results.length === 0) return undefined;
  const passages = results.map((r, i) => `[${i + 1}] (source: ${r.name})\n${r.content}`).join("\n\n");
  return `Use the following passages from the knowledge base where they help answer the user; say when they do not cover the question.\n<knowledge>\n${passages}\n</knowledge>`;
}
