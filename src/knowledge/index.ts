export { Knowledge } from "./knowledge.js";
export type { KnowledgeOptions } from "./knowledge.js";
export { KnowledgeBase } from "./knowledge-base.js";
export type { AddedContent } from "./knowledge-base.js";
export type { ContentInput, ContentDetails } from "./content-input.js";
export { contentId } from "./content-input.js";
export { IngestionQueue } from "./ingestion-queue.js";
export type { IngestionQueueOptions } from "./ingestion-queue.js";
export { SEARCH_TYPES, fuseByRank, checkFilters } from "./search.js";
export type { SearchType, SearchOptions, SearchResult, SearchResponse } from "./search.js";
export { chunkText, resolveChunking, loadTokenizer } from "./chunking/index.js";
export type { ChunkingOptions, Chunk, Tokenizer, TokenEncoding } from "./chunking/index.js";
export {
  READERS,
  readerFor,
  parseContentType,
  htmlToText,
  csvToText,
  jsonToText,
  UnreadableContentError,
} from "./readers/index.js";
export type { Reader, ReadDocument, ReadInput } from "./readers/index.js";
export { safeFetch, checkUrl, UrlFetchError } from "./fetch/safe-fetch.js";
export type { FetchPolicy, FetchedResource, ResolvedAddress } from "./fetch/safe-fetch.js";
export { blockedReason, isAllowed } from "./fetch/address-policy.js";
export { HashingEmbedder } from "./embedders/hashing-embedder.js";
export type { HashingEmbedderOptions } from "./embedders/hashing-embedder.js";
export { embedAll, embedOne } from "./embedders/embed.js";
export { searchKnowledgeTool, knowledgeSection, lookUp } from "./agent-knowledge.js";
export type { KnowledgeReferences, AgentKnowledgeSettings } from "./agent-knowledge.js";
export { KnowledgeRegistry } from "./registry.js";
