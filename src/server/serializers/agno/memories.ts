import type { MemoryRecord } from "../../../storage/index.js";
import { isoFromMs } from "./compact.js";

/** UserMemory. */
export function userMemory(m: MemoryRecord): Record<string, unknown> {
  return {
    memory_id: m.memory_id,
    memory: m.memory,
    topics: m.topics,
    agent_id: m.agent_id,
    team_id: m.team_id,
    user_id: m.user_id,
    updated_at: isoFromMs(m.updated_at),
  };
}

/** Agno's paginated envelope: `page` is 1-based; `search_time_ms` is how long the query took. */
export function paginatedResponse(
  data: unknown[],
  page: number,
  limit: number,
  total: number,
  searchTimeMs: number,
): Record<string, unknown> {
  return {
    data,
    meta: {
      page,
      limit,
      total_pages: Math.ceil(total / limit),
      total_count: total,
      search_time_ms: Math.round(searchTimeMs * 100) / 100,
    },
  };
}
