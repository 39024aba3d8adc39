import { sql } from "kysely";
import type { Kysely, RawBuilder, SqlBool, Transaction } from "kysely";
import type BetterSqlite3 from "better-sqlite3";
import type { ScoredId, SearchParts } from "../sql/dialect.js";
import { deleteContentVectors, vectorTableName } from "../sql/vector-tables.js";
import type { VectorQuery, VectorRow } from "../sql/vector-tables.js";
import type { Database } from "../sql/schema.js";

/** sqlite-vec answers at most this many neighbours per query. */
const MAX_K = 4096;
const MAX_TERMS = 32;
const MAX_DIMS = 8192;

/**
 * Search in SQLite: FTS5 (BM25, Porter stemming) over the chunk table, and sqlite-vec `vec0`
 * tables, one per vector size, partitioned by knowledge base. The extension is loaded on the
 * connection the first time vectors are needed.
 */
export class SqliteSearch implements SearchParts {
  readonly #loaded = new WeakSet<BetterSqlite3.Database>();
  readonly #tables = new Set<string>();

  /** `connection` gives the open better-sqlite3 handle, or undefined before the first query. */
  constructor(private readonly connection: () => BetterSqlite3.Database | undefined) {}

  async createFullText(db: Kysely<any>): Promise<void> {
    await sql`create virtual table knowledge_chunks_fts using fts5(
      content, content='knowledge_chunks', content_rowid='id',
      tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
    // External-content FTS: triggers keep the index in step with the chunk table.
    await sql`create trigger knowledge_chunks_fts_insert after insert on knowledge_chunks begin
      insert into knowledge_chunks_fts(rowid, content) values (new.id, new.content); end`.execute(db);
    await sql`create trigger knowledge_chunks_fts_delete after delete on knowledge_chunks begin
      insert into knowledge_chunks_fts(knowledge_chunks_fts, rowid, content) values ('delete', old.id, old.content); end`.execute(
      db,
    );
    await sql`create trigger knowledge_chunks_fts_update after update of content on knowledge_chunks begin
      insert into knowledge_chunks_fts(knowledge_chunks_fts, rowid, content) values ('delete', old.id, old.content);
      insert into knowledge_chunks_fts(rowid, content) values (new.id, new.content); end`.execute(db);
  }

  async keyword(
    db: Kysely<Database>,
    q: { text: string; where: RawBuilder<SqlBool>; limit: number },
  ): Promise<ScoredId[]> {
    const match = ftsQuery(q.text);
    if (!match) return [];
    const rows = await sql<{ id: number; rank: number }>`
      select c.id as id, bm25(knowledge_chunks_fts) as rank
      from knowledge_chunks_fts join knowledge_chunks c on c.id = knowledge_chunks_fts.rowid
      where knowledge_chunks_fts match ${match} and ${q.where}
      order by rank limit ${q.limit}`.execute(db);
    // BM25 in FTS5 is negative, lower is better: negate it so that higher is better everywhere.
    return rows.rows.map((r) => ({ id: Number(r.id), score: -Number(r.rank) }));
  }

  async prepareVectors(db: Kysely<Database>, dims: number): Promise<void> {
    const table = vectorTable(dims);
    let raw = this.connection();
    if (!raw) {
      await sql`select 1`.execute(db); // opens the connection
      raw = this.connection()!;
    }
    if (!this.#loaded.has(raw)) {
      const vec = await import("sqlite-vec");
      vec.load(raw);
      this.#loaded.add(raw);
    }
    if (this.#tables.has(table)) return;
    await sql`create virtual table if not exists ${sql.table(table)} using vec0(
      chunk_id integer primary key,
      knowledge_id text partition key,
      embedding float[${sql.raw(String(dims))}] distance_metric=cosine)`.execute(db);
    this.#tables.add(table);
  }

  async insertVectors(trx: Transaction<Database>, dims: number, rows: VectorRow[]): Promise<void> {
    const table = sql.table(vectorTable(dims));
    for (let i = 0; i < rows.length; i += 200) {
      const values = rows
        .slice(i, i + 200)
        .map((r) => sql`(${BigInt(r.chunkId)}, ${r.knowledgeId}, ${blob(r.embedding, dims)})`);
      await sql`insert into ${table}(chunk_id, knowledge_id, embedding) values ${sql.join(values)}`.execute(
        trx,
      );
    }
  }

  async deleteVectors(trx: Transaction<Database>, dims: number, contentId: string): Promise<void> {
    await deleteContentVectors(trx, vectorTable(dims), contentId);
  }

  async vectorSearch(db: Kysely<Database>, q: VectorQuery): Promise<ScoredId[]> {
    const k = Math.min(Math.max(1, q.limit), MAX_K);
    const restrict = q.where
      ? sql`and chunk_id in (select c.id from knowledge_chunks c where ${q.where})`
      : sql``;
    const rows = await sql<{ chunk_id: number; distance: number }>`
      select chunk_id, distance from ${sql.table(vectorTable(q.dims))}
      where embedding match ${blob(q.vector, q.dims)} and k = ${k} and knowledge_id = ${q.knowledgeId} ${restrict}
      order by distance`.execute(db);
    return rows.rows.map((r) => ({ id: Number(r.chunk_id), score: 1 - Number(r.distance) }));
  }
}

function vectorTable(dims: number): string {
  return vectorTableName(dims, MAX_DIMS);
}

function blob(vector: Float32Array, dims: number): Buffer {
  if (vector.length !== dims)
    throw new RangeError(`Expected a vector of ${dims} dimensions, got ${vector.length}`);
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** English words too common to help ranking, whose long posting lists would only slow a query down. */
const STOP_WORDS = new Set(
  (
    "a an and are as at be but by can do does for from how i if in into is it its me my no not of on or our " +
    "so than that the their them then there these they this to was we what when where which who why will " +
    "with you your"
  ).split(" "),
);

/**
 * The words of a query as an FTS5 expression: each quoted (no operator injection), any may match.
 * Stop words are left out unless the query has nothing else.
 */
export function ftsQuery(text: string): string {
  const words = new Set((text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, 4 * MAX_TERMS));
  const content = [...words].filter((w) => !STOP_WORDS.has(w));
  return (content.length ? content : [...words])
    .slice(0, MAX_TERMS)
    .map((w) => `"${w}"`)
    .join(" OR ");
}
