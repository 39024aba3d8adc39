import { sql } from "kysely";
import type { Kysely, RawBuilder, SqlBool, Transaction } from "kysely";
import type { Database } from "./schema.js";

/** One chunk's embedding, as stored in the vector table of its size. */
export interface VectorRow {
  chunkId: number;
  knowledgeId: string;
  embedding: Float32Array;
}

/** A nearest-neighbour query; `where` refers to the chunk table as `c`. */
export interface VectorQuery {
  dims: number;
  knowledgeId: string;
  vector: Float32Array;
  limit: number;
  where?: RawBuilder<SqlBool>;
}

/** One vector table per size, since both backends fix the dimension in the column type. */
export function vectorTableName(dims: number, maxDims: number): string {
  if (!Number.isInteger(dims) || dims < 1 || dims > maxDims)
    throw new RangeError(`Vector dimensions must be an integer from 1 to ${maxDims}, got ${dims}`);
  return `knowledge_vectors_${dims}`;
}

/** Deletes the vectors of one content's chunks; the same statement on every backend. */
export async function deleteContentVectors(
  trx: Transaction<Database> | Kysely<Database>,
  table: string,
  contentId: string,
): Promise<void> {
  await sql`delete from ${sql.table(table)} where chunk_id in (
    select id from knowledge_chunks where content_id = ${contentId})`.execute(trx);
}
