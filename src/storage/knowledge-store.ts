/** The knowledge part of the Store seam: contents, their chunks, full-text and vector search. */

export type ContentStatus = "pending" | "processing" | "completed" | "failed";

/** One piece of content of a knowledge base (a file, a text, a URL). Times are epoch milliseconds. */
export interface ContentRecord {
  id: string;
  knowledge_id: string;
  name: string;
  description: string | null;
  /** MIME type of the source, when known. */
  type: string | null;
  /** Size of the source in bytes, when known. */
  size: number | null;
  /** Where it came from: a URL or a file name; null for text. */
  source: string | null;
  /** SHA-256 of the source's bytes (hex); null until a URL has been fetched. */
  content_hash: string | null;
  metadata: Record<string, unknown> | null;
  status: ContentStatus;
  status_message: string | null;
  chunk_count: number;
  /** Dimensions of the stored vectors; null when stored without an embedder. */
  vector_dims: number | null;
  created_at: number;
  updated_at: number;
}

/** A chunk to store; `embedding` only when the knowledge base has an embedder. */
export interface ChunkInput {
  index: number;
  content: string;
  token_count: number;
  embedding?: Float32Array;
}

export type MetadataScalar = string | number | boolean | null;
/** Equality on top-level metadata keys; an array value matches any of its elements. */
export type MetadataFilters = Record<string, MetadataScalar | MetadataScalar[]>;

/** A chunk found by a search. `score`: higher is better (negated BM25, cosine similarity, or fused rank). */
export interface ChunkHit {
  chunk_id: number;
  content_id: string;
  name: string;
  content: string;
  chunk_index: number;
  metadata: Record<string, unknown> | null;
  score: number;
}

export interface ChunkSearchQuery {
  knowledgeId: string;
  limit: number;
  filters?: MetadataFilters;
}

export interface ContentPage {
  contents: ContentRecord[];
  total: number;
}

export interface KnowledgeStore {
  /** Inserts the content when its id is new; otherwise returns the stored one unchanged. */
  add(record: ContentRecord): Promise<{ record: ContentRecord; created: boolean }>;
  get(knowledgeId: string, contentId: string): Promise<ContentRecord | undefined>;
  /** Newest first; `page` is 1-based. */
  list(query: { knowledgeId: string; limit: number; page: number }): Promise<ContentPage>;
  count(knowledgeId: string, status?: ContentStatus): Promise<number>;
  /** Sets the status (and what processing learnt of the source); false when the content is gone. */
  setStatus(
    contentId: string,
    status: ContentStatus,
    message: string | null,
    details?: Partial<Pick<ContentRecord, "type" | "size" | "content_hash">>,
  ): Promise<boolean>;
  /**
   * Stores the chunks (and their vectors) and marks the content completed, in one transaction.
   * False, storing nothing, when the content was deleted meanwhile.
   */
  complete(contentId: string, chunks: ChunkInput[], message: string | null): Promise<boolean>;
  /** Deletes the content with its chunks, vectors and metadata; false when it did not exist. */
  delete(knowledgeId: string, contentId: string): Promise<boolean>;
  /** At startup: content a crash left pending or processing becomes failed with the reason. Returns the ids. */
  failUnfinished(reason: string): Promise<string[]>;
  /** Full-text search (BM25), best first. */
  keywordSearch(query: ChunkSearchQuery & { text: string }): Promise<ChunkHit[]>;
  /** Nearest chunks by cosine distance, best first. */
  vectorSearch(query: ChunkSearchQuery & { vector: Float32Array }): Promise<ChunkHit[]>;
}
