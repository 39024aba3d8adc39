import type { EmbeddingModelV3 } from "@ai-sdk/provider";
import { slugify } from "../agent/slug.js";
import type { ContentRecord, Store } from "../storage/index.js";
import { resolveChunking } from "./chunking/index.js";
import type { ChunkingOptions } from "./chunking/index.js";
import type { ContentInput } from "./content-input.js";
import type { FetchPolicy } from "./fetch/safe-fetch.js";
import { KnowledgeBase } from "./knowledge-base.js";
import type { SearchOptions, SearchResponse, SearchType } from "./search.js";

export interface KnowledgeOptions {
  /** Default: a slug of the name. */
  id?: string;
  name: string;
  description?: string;
  /** Where contents, chunks and vectors are kept. Default: the db of the AgentOS that serves it. */
  db?: Store;
  /** Any AI SDK embedding model (or `HashingEmbedder` offline). Without one, search is keyword only. */
  embedder?: EmbeddingModelV3;
  chunking?: ChunkingOptions;
  /** Results an agent's search returns. Default 5. */
  maxResults?: number;
  /** The search used when none is asked for. Default: hybrid with an embedder, keyword without. */
  searchType?: SearchType;
  /** How URLs are fetched; private and loopback addresses are refused unless listed in `allowedHosts`. */
  fetch?: FetchPolicy;
  /**
   * Content loaded in the background when an AgentOS starts (files are read then). Unchanged
   * content is skipped, so restarting costs little; a changed file is re-processed in place.
   */
  preload?: ContentInput[] | (() => ContentInput[] | Promise<ContentInput[]>);
}

/**
 * A searchable collection of content: readers turn files into text, chunkers cut it up, an
 * optional embedder adds vectors, and the store keeps and searches it. Constructing one does no I/O.
 */
export class Knowledge {
  readonly options: KnowledgeOptions;
  #id?: string;
  #bases = new WeakMap<Store, KnowledgeBase>();

  constructor(options: KnowledgeOptions) {
    if (!options.name) throw new TypeError("A knowledge base needs a name");
    resolveChunking(options.chunking); // impossible sizes fail here, not at the first upload
    if (options.searchType && options.searchType !== "keyword" && !options.embedder)
      throw new TypeError(`searchType '${options.searchType}' needs an embedder`);
    this.options = options;
  }

  get id(): string {
    return (this.#id ??= this.options.id ?? slugify(this.options.name));
  }
  get name(): string {
    return this.options.name;
  }
  get description(): string | null {
    return this.options.description ?? null;
  }
  get db(): Store | undefined {
    return this.options.db;
  }
  get embedder(): EmbeddingModelV3 | undefined {
    return this.options.embedder;
  }
  get maxResults(): number {
    return this.options.maxResults ?? 5;
  }

  /** This knowledge base in its own db, else in `fallback` (the serving OS's db). */
  on(fallback?: Store): KnowledgeBase {
    const store = this.options.db ?? fallback;
    if (!store)
      throw new Error(
        `Knowledge '${this.id}' has no db: give it one (db: new SqliteDb(...)) or serve it from an AgentOS`,
      );
    let base = this.#bases.get(store);
    if (!base) this.#bases.set(store, (base = new KnowledgeBase(this, store)));
    return base;
  }

  /** Adds content and processes it before returning (needs the knowledge base's own db, migrated). */
  insert(input: ContentInput, signal?: AbortSignal): Promise<ContentRecord> {
    return this.on().insert(input, signal);
  }

  search(query: string, options?: SearchOptions): Promise<SearchResponse> {
    return this.on().search(query, options);
  }
}
