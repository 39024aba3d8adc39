import { BadRequestError, NotFoundError, errorMessage } from "../errors.js";
import type { ContentPage, ContentRecord, Store } from "../storage/index.js";
import type { ContentInput, ContentSource, PreparedContent } from "./content-input.js";
import { embedAll, embedOne } from "./embedders/embed.js";
import type { IngestionQueue } from "./ingestion-queue.js";
import type { Knowledge } from "./knowledge.js";
import { checkFilters, fuseByRank, toResult } from "./search.js";
import type { SearchOptions, SearchResponse, SearchType } from "./search.js";

export interface AddedContent {
  record: ContentRecord;
  /** Present when the content needs processing; runs the pipeline and never throws (a failure is its status). */
  process?: (signal?: AbortSignal) => Promise<ContentRecord>;
}

/** A knowledge base bound to the store that holds it: adding, processing, searching and deleting content. */
export class KnowledgeBase {
  constructor(
    readonly knowledge: Knowledge,
    readonly store: Store,
  ) {}

  get id(): string {
    return this.knowledge.id;
  }

  /**
   * Registers content as `pending`. Same bytes (or key, or URL) again: the stored content is
   * returned and nothing is re-processed, unless it failed before or a keyed source changed.
   */
  async add(input: ContentInput): Promise<AddedContent> {
    const { prepareContent } = await import("./content-input.js");
    const prepared = await prepareContent(this.id, input, this.knowledge.options.fetch);
    const { record, created } = await this.store.knowledge.add(prepared.record);
    const changed =
      prepared.record.content_hash !== null &&
      record.content_hash !== prepared.record.content_hash &&
      record.status !== "pending" &&
      record.status !== "processing";
    if (!created && record.status !== "failed" && !changed) return { record };
    if (!created) {
      const { type, size, content_hash } = prepared.record;
      await this.store.knowledge.setStatus(record.id, "pending", null, { type, size, content_hash });
    }
    const pending = { ...record, ...(created ? {} : { status: "pending" as const, status_message: null }) };
    return { record: pending, process: (signal) => this.#process(prepared, signal) };
  }

  /** Hands the processing to a background queue; content the queue drops (shutdown) fails with the reason. */
  enqueue(added: AddedContent, queue: IngestionQueue): void {
    const { process, record } = added;
    if (!process) return;
    queue.push(record.id, process, () =>
      this.store.knowledge.setStatus(
        record.id,
        "failed",
        "The server shut down before the content was processed; add it again",
      ),
    );
  }

  /** Adds content and processes it before returning (scripts, tests, small loads). */
  async insert(input: ContentInput, signal?: AbortSignal): Promise<ContentRecord> {
    const added = await this.add(input);
    return added.process ? added.process(signal) : added.record;
  }

  async #process(prepared: PreparedContent, signal?: AbortSignal): Promise<ContentRecord> {
    const { id } = prepared.record;
    try {
      if (!(await this.store.knowledge.setStatus(id, "processing", null))) return prepared.record;
      const message = await this.#pipeline(id, prepared.source, signal);
      await this.store.knowledge.complete(id, message.chunks, message.text);
    } catch (err) {
      const reason = signal?.aborted
        ? `Processing stopped: ${errorMessage(signal.reason)}`
        : errorMessage(err);
      await this.store.knowledge.setStatus(id, "failed", reason);
    }
    return (await this.store.knowledge.get(this.id, id)) ?? { ...prepared.record, status: "failed" };
  }

  /** Fetch (URLs), read, chunk, embed. */
  async #pipeline(id: string, source: ContentSource, signal?: AbortSignal) {
    // Readers, chunkers and the HTTP client load with the first content, not with the package.
    const [{ chunkText }, { parseContentType, readerFor, supportedTypes }, { safeFetch }, { sha256 }] =
      await Promise.all([
        import("./chunking/index.js"),
        import("./readers/index.js"),
        import("./fetch/safe-fetch.js"),
        import("./content-input.js"),
      ]);
    let bytes: Buffer;
    let contentType: string | undefined;
    let filename: string | undefined;
    if ("url" in source) {
      const fetched = await safeFetch(
        source.url,
        {
          acceptTypes: (mime) => !!readerFor(mime, undefined) || mime === "application/octet-stream",
          ...this.knowledge.options.fetch,
        },
        signal,
      );
      bytes = fetched.data;
      contentType = fetched.contentType;
      filename = fetched.filename;
      await this.store.knowledge.setStatus(id, "processing", null, {
        type: parseContentType(contentType).mime || null,
        size: bytes.length,
        content_hash: sha256(bytes),
      });
    } else {
      ({ bytes, filename } = source);
      contentType = source.mimeType;
    }
    const { mime, charset } = parseContentType(contentType);
    const reader = readerFor(mime, filename);
    if (!reader)
      throw new Error(`Unsupported content type '${mime || "unknown"}'; supported: ${supportedTypes()}`);
    const doc = await reader.read({ data: bytes, filename, charset, signal });
    signal?.throwIfAborted();
    const chunks = await chunkText(doc.text, doc.format, this.knowledge.options.chunking, signal);
    if (chunks.length === 0) throw new Error("No text found in the content");
    const embedder = this.knowledge.embedder;
    const vectors = embedder
      ? await embedAll(
          embedder,
          chunks.map((c) => c.content),
          signal,
        )
      : undefined;
    return {
      chunks: chunks.map((c, i) => ({
        index: c.index,
        content: c.content,
        token_count: c.tokenCount,
        ...(vectors ? { embedding: vectors[i] } : {}),
      })),
      text: `${chunks.length} chunk${chunks.length === 1 ? "" : "s"}`,
    };
  }

  /** Searches the chunks: keyword (BM25), vector (cosine) or hybrid (reciprocal rank fusion of both). */
  async search(query: string, options: SearchOptions = {}): Promise<SearchResponse> {
    const started = performance.now();
    const embedder = this.knowledge.embedder;
    const searchType: SearchType =
      options.type ?? this.knowledge.options.searchType ?? (embedder ? "hybrid" : "keyword");
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? this.knowledge.maxResults)), 100);
    const filters = checkFilters(options.filters);
    if (searchType !== "keyword" && !embedder)
      throw new BadRequestError(
        `Knowledge '${this.id}' has no embedder, so it cannot do ${searchType} search; use search_type "keyword" or configure an embedder`,
      );
    const q = { knowledgeId: this.id, limit, filters };
    const keyword = () => this.store.knowledge.keywordSearch({ ...q, text: query });
    const vector = async (n: number) => {
      const v = await embedOne(embedder!, query, options.signal);
      // A text without words embeds to a zero vector, which is near nothing.
      return v.some((x) => x !== 0) ? this.store.knowledge.vectorSearch({ ...q, limit: n, vector: v }) : [];
    };
    let hits;
    if (searchType === "keyword") hits = await keyword();
    else if (searchType === "vector") hits = await vector(limit);
    else {
      // Each side contributes more candidates than asked, so that fusion can promote what both found.
      const depth = Math.min(limit * 4, 200);
      const [k, v] = await Promise.all([
        this.store.knowledge.keywordSearch({ ...q, limit: depth, text: query }),
        vector(depth),
      ]);
      hits = fuseByRank([k, v], limit);
    }
    return { results: hits.map(toResult), searchType, timeMs: performance.now() - started };
  }

  async get(contentId: string): Promise<ContentRecord> {
    const found = await this.store.knowledge.get(this.id, contentId);
    if (!found) throw new NotFoundError(`Content with id '${contentId}' not found`, "content");
    return found;
  }

  list(limit: number, page: number): Promise<ContentPage> {
    return this.store.knowledge.list({ knowledgeId: this.id, limit, page });
  }

  /** Deletes the content with its chunks and vectors; NotFoundError when it does not exist. */
  async delete(contentId: string): Promise<void> {
    if (!(await this.store.knowledge.delete(this.id, contentId)))
      throw new NotFoundError(`Content with id '${contentId}' not found`, "content");
  }

  /** Contents processed and searchable. */
  documentCount(): Promise<number> {
    return this.store.knowledge.count(this.id, "completed");
  }
}
