import { BadRequestError, PayloadTooLargeError, UnavailableError, ValidationError } from "../../errors.js";
import type { ContentInput, KnowledgeBase, SearchResponse, SearchType } from "../../knowledge/index.js";
import { SEARCH_TYPES } from "../../knowledge/search.js";
import type { ContentRecord } from "../../storage/index.js";
import type { ServerContext } from "../context.js";
import type { UploadedFile } from "../http/form-body.js";

export interface UploadForm {
  name?: string;
  description?: string;
  metadata?: Record<string, unknown>;
  text_content?: string;
  url?: string;
}

/** Knowledge operations shared by every surface. */
export class KnowledgeService {
  constructor(private readonly ctx: ServerContext) {}

  /** The knowledge base; 503 when the OS has none at all, 404 when this one is unknown. */
  base(knowledgeId: string): KnowledgeBase {
    this.#requireEnabled();
    return this.ctx.knowledge.get(knowledgeId);
  }

  list(): KnowledgeBase[] {
    this.#requireEnabled();
    return this.ctx.knowledge.list();
  }

  #requireEnabled(): void {
    if (this.ctx.knowledge.size === 0)
      throw new UnavailableError("Knowledge is not enabled: no knowledge base is configured on this AgentOS");
  }

  /** Registers one file, text or URL and queues its processing. A refused upload stores nothing. */
  async upload(
    base: KnowledgeBase,
    form: UploadForm,
    files: readonly UploadedFile[],
  ): Promise<ContentRecord> {
    const stray = files.find((f) => f.field !== "file");
    if (stray) throw new BadRequestError(`Send the file in the 'file' field, not '${stray.field}'`);
    if (files.length > 1) throw new BadRequestError("Send one file per request");
    const file = files[0];
    const text = form.text_content || undefined;
    const url = form.url?.trim() || undefined;
    const given = [file, text, url].filter((x) => x !== undefined).length;
    if (given === 0)
      throw new ValidationError("Give a file, text_content or url", [
        { loc: ["body", "file"], msg: "one of file, text_content or url is required", type: "missing" },
      ]);
    if (given > 1) throw new BadRequestError("Give only one of file, text_content or url");
    const max = this.ctx.settings.limits.maxFileBytes;
    if (text !== undefined && Buffer.byteLength(text) > max)
      throw new PayloadTooLargeError(`text_content is larger than the limit of ${max} bytes`);
    const details = { name: form.name, description: form.description, metadata: form.metadata };
    const input: ContentInput = file
      ? { ...details, data: file.data, filename: file.filename, mimeType: file.mimetype }
      : text !== undefined
        ? { ...details, text }
        : { ...details, url: url! };
    const added = await base.add(input);
    base.enqueue(added, this.ctx.ingestion);
    return added.record;
  }

  /** Deletes the content, stopping its processing first if it is under way. */
  async delete(base: KnowledgeBase, contentId: string): Promise<void> {
    await base.get(contentId);
    this.ctx.ingestion.cancel(contentId, "the content was deleted");
    await base.delete(contentId);
  }

  search(
    base: KnowledgeBase,
    q: { query: string; search_type?: string; limit?: number; filters?: Record<string, unknown> },
  ): Promise<SearchResponse> {
    if (q.search_type !== undefined && !SEARCH_TYPES.includes(q.search_type as SearchType))
      throw new BadRequestError(
        `Unsupported search_type '${q.search_type}': use one of ${SEARCH_TYPES.join(", ")}`,
      );
    return base.search(q.query, {
      type: q.search_type as SearchType | undefined,
      limit: q.limit ?? 10,
      filters: q.filters as never,
    });
  }
}
