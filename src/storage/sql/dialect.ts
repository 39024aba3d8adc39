import type { Kysely, RawBuilder, SqlBool, Transaction } from "kysely";
import type { Database } from "./schema.js";
import type { VectorQuery, VectorRow } from "./vector-tables.js";

/** What differs between SQL backends; everything else is written once over Kysely. */
export interface DialectParts {
  readonly name: "sqlite" | "postgres";
  /** Column type for JSON documents. */
  readonly jsonType: "text" | "jsonb";
  /** Column type of an integer primary key the database assigns. */
  readonly autoIdType: "integer" | "bigserial";
  /** Full-text and vector search over knowledge chunks. */
  readonly search: SearchParts;
  /** Opens the connection (pool) lazily: constructing a store does no I/O. */
  connect(): Kysely<Database>;
  /**
   * Runs `fn` while holding a cross-process lock (migrations), on the connection that holds it;
   * SQLite's own locking suffices there.
   */
  withMigrationLock<T>(db: Kysely<Database>, fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
}

export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** Reads a JSON column: SQLite gives text, PostgreSQL's driver gives the parsed value. */
export function fromJson<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/** A chunk id with its score (higher is better) or distance (lower is better). */
export interface ScoredId {
  id: number;
  score: number;
}

/**
 * Full-text and vector search, the part that differs most between backends (SQLite: FTS5 and
 * sqlite-vec; PostgreSQL: tsvector and pgvector). `where` conditions refer to the chunk table as `c`.
 */
export interface SearchParts {
  /** Creates the full-text index over knowledge_chunks (called by a migration). */
  createFullText(db: Kysely<any>): Promise<void>;
  /** Chunks matching the words of `text`, best first; score: higher is better. */
  keyword(
    db: Kysely<Database>,
    q: { text: string; where: RawBuilder<SqlBool>; limit: number },
  ): Promise<ScoredId[]>;
  /** Makes vectors of these dimensions storable and searchable; call outside transactions. */
  prepareVectors(db: Kysely<Database>, dims: number): Promise<void>;
  insertVectors(trx: Transaction<Database>, dims: number, rows: VectorRow[]): Promise<void>;
  /** Deletes the vectors of the chunks of one content. */
  deleteVectors(trx: Transaction<Database>, dims: number, contentId: string): Promise<void>;
  /** Nearest chunks of a knowledge base, best first; score is cosine similarity. */
  vectorSearch(db: Kysely<Database>, q: VectorQuery): Promise<ScoredId[]>;
}
