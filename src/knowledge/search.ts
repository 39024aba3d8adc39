import { BadRequestError } from "../errors.js";
import type { ChunkHit, MetadataFilters } from "../storage/index.js";

export type SearchType = "keyword" | "vector" | "hybrid";
export const SEARCH_TYPES: readonly SearchType[] = ["keyword", "vector", "hybrid"];

export interface SearchOptions {
  /** Default: the knowledge base's searchType (hybrid with an embedder, keyword without). */
  type?: SearchType;
  /** Default: the knowledge base's maxResults. At most 100. */
  limit?: number;
  filters?: MetadataFilters;
  signal?: AbortSignal;
}

/** One search result; `score`: higher is better, on a scale that depends on the search type. */
export interface SearchResult {
  content_id: string;
  name: string;
  content: string;
  score: number;
  metadata: Record<string, unknown> | null;
  chunk_index: number;
}

export interface SearchResponse {
  results: SearchResult[];
  searchType: SearchType;
  timeMs: number;
}

/** The usual constant of reciprocal rank fusion: damps the weight of the very first ranks. */
const RRF_K = 60;

/** Reciprocal rank fusion: each list adds 1 / (k + rank) for each chunk it found; best fused first. */
export function fuseByRank(lists: ChunkHit[][], limit: number): ChunkHit[] {
  const fused = new Map<number, ChunkHit>();
  for (const list of lists) {
    list.forEach((hit, rank) => {
      const add = 1 / (RRF_K + rank + 1);
      const seen = fused.get(hit.chunk_id);
      if (seen) seen.score += add;
      else fused.set(hit.chunk_id, { ...hit, score: add });
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score || a.chunk_id - b.chunk_id).slice(0, limit);
}

export function toResult(hit: ChunkHit): SearchResult {
  return {
    content_id: hit.content_id,
    name: hit.name,
    content: hit.content,
    score: hit.score,
    metadata: hit.metadata,
    chunk_index: hit.chunk_index,
  };
}

/** Filters must be an object of scalars or arrays of scalars; anything else is the caller's mistake. */
export function checkFilters(filters: unknown): MetadataFilters | undefined {
  if (filters === undefined || filters === null) return undefined;
  if (typeof filters !== "object" || Array.isArray(filters))
    throw new BadRequestError("filters must be an object of metadata keys and values");
  const scalar = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);
  for (const [key, value] of Object.entries(filters)) {
    if (!key) throw new BadRequestError("filter keys must not be empty");
    if (!(scalar(value) || (Array.isArray(value) && value.every(scalar))))
      throw new BadRequestError(
        `filter '${key}' must be a string, number, boolean or null, or an array of them (equality on metadata)`,
      );
  }
  return filters as MetadataFilters;
}
