import { sql } from "kysely";
import type { Kysely, RawBuilder, Selectable, SqlBool } from "kysely";
import type {
  ChunkHit,
  ChunkInput,
  ChunkSearchQuery,
  ContentPage,
  ContentRecord,
  ContentStatus,
  KnowledgeStore,
  MetadataFilters,
} from "../knowledge-store.js";
import type { DialectParts, ScoredId } from "./dialect.js";
import { fromJson, toJson } from "./dialect.js";
import type { Database, KnowledgeContentsTable } from "./schema.js";
import type { WriteBatcher } from "./write-batcher.js";

const UNFINISHED: ContentStatus[] = ["pending", "processing"];

export class SqlKnowledgeStore implements KnowledgeStore {
  constructor(
    private readonly db: () => Kysely<Database>,
    private readonly writes: WriteBatcher,
    private readonly parts: DialectParts,
  ) {}

  async add(record: ContentRecord): Promise<{ record: ContentRecord; created: boolean }> {
    return this.writes.run(async (trx) => {
      const existing = await trx
        .selectFrom("knowledge_contents")
        .selectAll()
        .where("id", "=", record.id)
        .executeTakeFirst();
      if (existing) return { record: toContent(existing), created: false };
      await trx
        .insertInto("knowledge_contents")
        .values({ ...record, metadata: toJson(record.metadata) })
        .execute();
      const meta = metadataRows(record.id, record.metadata);
      for (let i = 0; i < meta.length; i += 300)
        await trx
          .insertInto("knowledge_metadata")
          .values(meta.slice(i, i + 300))
          .execute();
      return { record, created: true };
    });
  }

  async get(knowledgeId: string, contentId: string): Promise<ContentRecord | undefined> {
    const row = await this.db()
      .selectFrom("knowledge_contents")
      .selectAll()
      .where("id", "=", contentId)
      .where("knowledge_id", "=", knowledgeId)
      .executeTakeFirst();
    return row && toContent(row);
  }

  async list(q: { knowledgeId: string; limit: number; page: number }): Promise<ContentPage> {
    const [rows, total] = await Promise.all([
      this.db()
        .selectFrom("knowledge_contents")
        .selectAll()
        .where("knowledge_id", "=", q.knowledgeId)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(q.limit)
        .offset((q.page - 1) * q.limit)
        .execute(),
      this.count(q.knowledgeId),
    ]);
    return { contents: rows.map(toContent), total };
  }

  async count(knowledgeId: string, status?: ContentStatus): Promise<number> {
    let query = this.db()
      .selectFrom("knowledge_contents")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("knowledge_id", "=", knowledgeId);
    if (status) query = query.where("status", "=", status);
    return Number((await query.executeTakeFirstOrThrow()).n);
  }

  async setStatus(
    contentId: string,
    status: ContentStatus,
    message: string | null,
    details: Partial<Pick<ContentRecord, "type" | "size" | "content_hash">> = {},
  ): Promise<boolean> {
    const res = await this.writes.run((trx) =>
      trx
        .updateTable("knowledge_contents")
        .set({ ...details, status, status_message: message, updated_at: Date.now() })
        .where("id", "=", contentId)
        .executeTakeFirst(),
    );
    return Number(res.numUpdatedRows) > 0;
  }

  async complete(contentId: string, chunks: ChunkInput[], message: string | null): Promise<boolean> {
    const dims = chunks.find((c) => c.embedding)?.embedding?.length ?? null;
    const previousDims = (
      await this.db()
        .selectFrom("knowledge_contents")
        .select("vector_dims")
        .where("id", "=", contentId)
        .executeTakeFirst()
    )?.vector_dims;
    // Loading the vector extension and creating its table cannot happen inside the write transaction.
    if (previousDims) await this.parts.search.prepareVectors(this.db(), previousDims);
    if (dims) await this.parts.search.prepareVectors(this.db(), dims);
    return this.writes.run(async (trx) => {
      const row = await trx
        .selectFrom("knowledge_contents")
        .select(["knowledge_id", "vector_dims"])
        .where("id", "=", contentId)
        .executeTakeFirst();
      if (!row) return false;
      if (row.vector_dims) await this.parts.search.deleteVectors(trx, row.vector_dims, contentId);
      await trx.deleteFrom("knowledge_chunks").where("content_id", "=", contentId).execute();
      const now = Date.now();
      const vectors: { chunkId: number; knowledgeId: string; embedding: Float32Array }[] = [];
      for (let i = 0; i < chunks.length; i += 500) {
        const batch = chunks.slice(i, i + 500);
        const ids = await trx
          .insertInto("knowledge_chunks")
          .values(
            batch.map((c) => ({
              content_id: contentId,
              knowledge_id: row.knowledge_id,
              chunk_index: c.index,
              content: c.content,
              token_count: c.token_count,
              created_at: now,
            })),
          )
          .returning(["id", "chunk_index"])
          .execute();
        const byIndex = new Map(ids.map((r) => [Number(r.chunk_index), Number(r.id)]));
        for (const c of batch)
          if (c.embedding)
            vectors.push({
              chunkId: byIndex.get(c.index)!,
              knowledgeId: row.knowledge_id,
              embedding: c.embedding,
            });
      }
      if (dims && vectors.length) await this.parts.search.insertVectors(trx, dims, vectors);
      await trx
        .updateTable("knowledge_contents")
        .set({
          status: "completed",
          status_message: message,
          chunk_count: chunks.length,
          vector_dims: dims,
          updated_at: now,
        })
        .where("id", "=", contentId)
        .execute();
      return true;
    });
  }

  async delete(knowledgeId: string, contentId: string): Promise<boolean> {
    const found = await this.get(knowledgeId, contentId);
    if (!found) return false;
    if (found.vector_dims) await this.parts.search.prepareVectors(this.db(), found.vector_dims);
    return this.writes.run(async (trx) => {
      const row = await trx
        .selectFrom("knowledge_contents")
        .select("vector_dims")
        .where("id", "=", contentId)
        .where("knowledge_id", "=", knowledgeId)
        .executeTakeFirst();
      if (!row) return false;
      if (row.vector_dims) await this.parts.search.deleteVectors(trx, row.vector_dims, contentId);
      await trx.deleteFrom("knowledge_chunks").where("content_id", "=", contentId).execute();
      await trx.deleteFrom("knowledge_metadata").where("content_id", "=", contentId).execute();
      await trx.deleteFrom("knowledge_contents").where("id", "=", contentId).execute();
      return true;
    });
  }

  async failUnfinished(reason: string): Promise<string[]> {
    const rows = await this.writes.run((trx) =>
      trx
        .updateTable("knowledge_contents")
        .set({ status: "failed", status_message: reason, updated_at: Date.now() })
        .where("status", "in", UNFINISHED)
        .returning("id")
        .execute(),
    );
    return rows.map((r) => r.id);
  }

  async keywordSearch(q: ChunkSearchQuery & { text: string }): Promise<ChunkHit[]> {
    const ids = await this.parts.search.keyword(this.db(), {
      text: q.text,
      where: chunkWhere(q.knowledgeId, q.filters),
      limit: q.limit,
    });
    return this.#hydrate(ids);
  }

  async vectorSearch(q: ChunkSearchQuery & { vector: Float32Array }): Promise<ChunkHit[]> {
    const dims = q.vector.length;
    await this.parts.search.prepareVectors(this.db(), dims);
    const ids = await this.parts.search.vectorSearch(this.db(), {
      dims,
      knowledgeId: q.knowledgeId,
      vector: q.vector,
      limit: q.limit,
      where: q.filters && Object.keys(q.filters).length ? chunkWhere(q.knowledgeId, q.filters) : undefined,
    });
    return this.#hydrate(ids);
  }

  /** The chunks' text, content name and metadata, in the order of `ids`. */
  async #hydrate(ids: ScoredId[]): Promise<ChunkHit[]> {
    if (ids.length === 0) return [];
    const rows = await this.db()
      .selectFrom("knowledge_chunks as c")
      .innerJoin("knowledge_contents as k", "k.id", "c.content_id")
      .select(["c.id", "c.content_id", "c.chunk_index", "c.content", "k.name", "k.metadata"])
      .where(
        "c.id",
        "in",
        ids.map((i) => i.id),
      )
      .execute();
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const hits: ChunkHit[] = [];
    for (const { id, score } of ids) {
      const r = byId.get(id);
      if (!r) continue; // deleted between the two queries
      hits.push({
        chunk_id: id,
        content_id: r.content_id,
        name: r.name,
        content: r.content,
        chunk_index: Number(r.chunk_index),
        metadata: fromJson<Record<string, unknown>>(r.metadata),
        score,
      });
    }
    return hits;
  }
}

/** Restricts chunks (alias `c`) to a knowledge base and to contents whose metadata match every filter. */
function chunkWhere(knowledgeId: string, filters: MetadataFilters | undefined): RawBuilder<SqlBool> {
  const parts = [sql<SqlBool>`c.knowledge_id = ${knowledgeId}`];
  for (const [key, value] of Object.entries(filters ?? {})) {
    const values = (Array.isArray(value) ? value : [value]).map((v) => metadataValue(v));
    if (values.length === 0) return sql<SqlBool>`1 = 0`;
    parts.push(
      sql<SqlBool>`c.content_id in (select content_id from knowledge_metadata where key = ${key} and value in (${sql.join(values)}))`,
    );
  }
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

/** Scalars as JSON text; objects are not filterable. */
function metadataValue(value: unknown): string {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return JSON.stringify(value);
  throw new TypeError("Metadata filter values must be strings, numbers, booleans or null");
}

function metadataRows(contentId: string, metadata: Record<string, unknown> | null) {
  const rows: { content_id: string; key: string; value: string }[] = [];
  for (const [key, value] of Object.entries(metadata ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === null || ["string", "number", "boolean"].includes(typeof v))
        rows.push({ content_id: contentId, key, value: JSON.stringify(v) });
    }
  }
  return rows;
}

function toContent(row: Selectable<KnowledgeContentsTable>): ContentRecord {
  return {
    id: row.id,
    knowledge_id: row.knowledge_id,
    name: row.name,
    description: row.description,
    type: row.type,
    size: row.size === null ? null : Number(row.size),
    source: row.source,
    content_hash: row.content_hash,
    metadata: fromJson<Record<string, unknown>>(row.metadata),
    status: row.status as ContentStatus,
    status_message: row.status_message,
    chunk_count: Number(row.chunk_count),
    vector_dims: row.vector_dims === null ? null : Number(row.vector_dims),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}
