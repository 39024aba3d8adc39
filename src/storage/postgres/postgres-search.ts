import { sql } from "kysely";
import type { Kysely, RawBuilder, SqlBool, Transaction } from "kysely";
import type { ScoredId, SearchParts } from "../sql/dialect.js";
import { deleteContentVectors, vectorTableName } from "../sql/vector-tables.js";
import type { VectorQuery, VectorRow } from "../sql/vector-tables.js";
import type { Database } from "../sql/schema.js";

const MAX_TERMS = 32;
const MAX_DIMS = 16000;

/**
 * Search in PostgreSQL: a generated `tsvector` column with a GIN index (English stemming, ranked
 * with ts_rank_cd), and vector tables, one per vector size, searched exactly by cosine distance:
 * pgvector when the server has it (created the first time vectors are needed), else `real[]`
 * columns holding unit vectors, whose dot product is the cosine similarity.
 */
export class PostgresSearch implements SearchParts {
  #pgvector: Promise<boolean> | undefined;
  readonly #tables = new Set<string>();

  /** Whether the server can use pgvector (it is installed, or available to install). */
  hasPgvector(db: Kysely<any>): Promise<boolean> {
    this.#pgvector ??= sql<{
      n: number;
    }>`select count(*)::int as n from pg_available_extensions where name = 'vector'`
      .execute(db)
      .then(async (r) => {
        if (Number(r.rows[0]?.n) === 0) return false;
        await sql`create extension if not exists vector`.execute(db);
        return true;
      })
      .catch((err) => {
        this.#pgvector = undefined;
        throw err;
      });
    return this.#pgvector;
  }

  async createFullText(db: Kysely<any>): Promise<void> {
    await sql`alter table knowledge_chunks add column search_vector tsvector
      generated always as (to_tsvector('english', content)) stored`.execute(db);
    await sql`create index knowledge_chunks_search_idx on knowledge_chunks using gin (search_vector)`.execute(
      db,
    );
  }

  async keyword(
    db: Kysely<Database>,
    q: { text: string; where: RawBuilder<SqlBool>; limit: number },
  ): Promise<ScoredId[]> {
    const terms = tsQuery(q.text);
    if (!terms) return [];
    // to_tsquery drops English stop words itself; the words are plain (no operators can be injected).
    const rows = await sql<{ id: number; score: number }>`
      select c.id as id, ts_rank_cd(c.search_vector, query) as score
      from knowledge_chunks c, to_tsquery('english', ${terms}) query
      where c.search_vector @@ query and ${q.where}
      order by score desc, c.id limit ${q.limit}`.execute(db);
    return rows.rows.map((r) => ({ id: Number(r.id), score: Number(r.score) }));
  }

  async prepareVectors(db: Kysely<Database>, dims: number): Promise<void> {
    const table = vectorTable(dims);
    if (this.#tables.has(table)) return;
    const type = (await this.hasPgvector(db)) ? sql.raw(`vector(${dims})`) : sql.raw("real[]");
    await sql`create table if not exists ${sql.table(table)} (
      chunk_id bigint primary key,
      knowledge_id text not null,
      embedding ${type} not null)`.execute(db);
    await sql`create index if not exists ${sql.id(`${table}_kb_idx`)} on ${sql.table(table)} (knowledge_id)`.execute(
      db,
    );
    this.#tables.add(table);
  }

  async insertVectors(trx: Transaction<Database>, dims: number, rows: VectorRow[]): Promise<void> {
    const table = sql.table(vectorTable(dims));
    const pgvector = await this.hasPgvector(trx);
    for (let i = 0; i < rows.length; i += 200) {
      const values = rows
        .slice(i, i + 200)
        .map((r) =>
          pgvector
            ? sql`(${r.chunkId}, ${r.knowledgeId}, ${vectorText(r.embedding, dims)}::vector)`
            : sql`(${r.chunkId}, ${r.knowledgeId}, ${arrayText(unit(r.embedding), dims)}::real[])`,
        );
      await sql`insert into ${table} (chunk_id, knowledge_id, embedding) values ${sql.join(values)}`.execute(
        trx,
      );
    }
  }

  async deleteVectors(trx: Transaction<Database>, dims: number, contentId: string): Promise<void> {
    await deleteContentVectors(trx, vectorTable(dims), contentId);
  }

  async vectorSearch(db: Kysely<Database>, q: VectorQuery): Promise<ScoredId[]> {
    const restrict = q.where
      ? sql`and chunk_id in (select c.id from knowledge_chunks c where ${q.where})`
      : sql``;
    if (!(await this.hasPgvector(db))) {
      // Exact search over unit vectors: the dot product is the cosine similarity.
      const query = arrayText(unit(q.vector), q.dims);
      const scored = await sql<{ chunk_id: number; score: number }>`
        select chunk_id, (select sum(a * b) from unnest(embedding, ${query}::real[]) as t(a, b)) as score
        from ${sql.table(vectorTable(q.dims))}
        where knowledge_id = ${q.knowledgeId} ${restrict}
        order by score desc nulls last, chunk_id limit ${q.limit}`.execute(db);
      return scored.rows.map((r) => ({ id: Number(r.chunk_id), score: Number(r.score ?? 0) }));
    }
    const rows = await sql<{ chunk_id: number; distance: number }>`
      select chunk_id, embedding <=> ${vectorText(q.vector, q.dims)}::vector as distance
      from ${sql.table(vectorTable(q.dims))}
      where knowledge_id = ${q.knowledgeId} ${restrict}
      order by distance, chunk_id limit ${q.limit}`.execute(db);
    return rows.rows.map((r) => ({ id: Number(r.chunk_id), score: 1 - Number(r.distance) }));
  }
}

function vectorTable(dims: number): string {
  return vectorTableName(dims, MAX_DIMS);
}

function vectorText(vector: Float32Array, dims: number): string {
  if (vector.length !== dims)
    throw new RangeError(`Expected a vector of ${dims} dimensions, got ${vector.length}`);
  return `[${Array.from(vector).join(",")}]`;
}

function arrayText(vector: Float32Array, dims: number): string {
  if (vector.length !== dims)
    throw new RangeError(`Expected a vector of ${dims} dimensions, got ${vector.length}`);
  return `{${Array.from(vector).join(",")}}`;
}

function unit(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  return norm === 0 ? vector : vector.map((x) => x / norm);
}

/** The words of a query as a tsquery where any may match: `w1 | w2 | ...`. */
export function tsQuery(text: string): string {
  const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, MAX_TERMS);
  return words.join(" | ");
}
