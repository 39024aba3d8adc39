/** The memory part of the Store seam: what agents remember about users. */

/** A memory about one user. Times are epoch milliseconds. */
export interface MemoryRecord {
  memory_id: string;
  user_id: string;
  memory: string;
  topics: string[];
  agent_id: string | null;
  team_id: string | null;
  /** The message it was learnt from, when an agent extracted it. */
  input: string | null;
  created_at: number;
  updated_at: number;
}

export interface MemoryQuery {
  userId?: string;
  agentId?: string;
  teamId?: string;
  /** Memories having any of these topics. */
  topics?: string[];
  /** Case-insensitive substring of the memory's text. */
  search?: string;
  limit: number;
  /** 1-based. */
  page: number;
  sortBy?: "updated_at" | "created_at";
  sortOrder?: "asc" | "desc";
}

export interface MemoryPage {
  memories: MemoryRecord[];
  total: number;
}

export interface MemoryPatch {
  memory?: string;
  topics?: string[];
}

/** A session summary as listed for a user. */
export interface SummaryRecord {
  session_id: string;
  summary: string;
  topics: string[];
  /** Epoch milliseconds. */
  updated_at: number;
}

/** How many memories one user has, and when the latest changed (epoch milliseconds). */
export interface UserMemoryStats {
  user_id: string;
  total_memories: number;
  last_memory_updated_at: number;
}

export interface MemoryStore {
  create(memory: MemoryRecord): Promise<MemoryRecord>;
  get(memoryId: string): Promise<MemoryRecord | undefined>;
  /** Undefined when the memory does not exist. */
  update(memoryId: string, patch: MemoryPatch): Promise<MemoryRecord | undefined>;
  delete(memoryId: string): Promise<boolean>;
  /** Deletes those of the ids that exist (and belong to `userId` when given); returns how many went. */
  deleteMany(memoryIds: string[], userId?: string): Promise<number>;
  list(query: MemoryQuery): Promise<MemoryPage>;
  /** Distinct topics, sorted; of one user when given. */
  topics(userId?: string): Promise<string[]>;
  /** Per-user memory counts, most recently updated user first; one page (1-based) and the number of users. */
  userStats(query: {
    userId?: string;
    limit: number;
    page: number;
  }): Promise<{ stats: UserMemoryStats[]; total: number }>;
  /** Summaries of the user's sessions, most recently updated first. */
  summaries(userId: string, limit: number): Promise<SummaryRecord[]>;
}
