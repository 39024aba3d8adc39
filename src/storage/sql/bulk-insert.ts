import { CompiledQuery } from "kysely";
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** Rows per statement: keeps bound parameters under SQLite's (32,766) and PostgreSQL's (65,535) limits. */
const CHUNK_ROWS = 200;

/**
 * A multi-row `insert ... on conflict do nothing` whose SQL is compiled once per row count and
 * reused: for wide batches on a hot path, building Kysely's query tree (a node per value) costs
 * more CPU than the database spends storing the rows.
 */
export class BulkInsert<T extends keyof Database & string> {
  readonly #sql = new Map<number, string>();

  constructor(
    private readonly table: T,
    private readonly columns: readonly (keyof Database[T] & string)[],
    private readonly conflict: readonly (keyof Database[T] & string)[],
  ) {}

  async execute(db: Kysely<Database>, rows: readonly Database[T][]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
      const chunk = rows.slice(i, i + CHUNK_ROWS);
      const parameters: unknown[] = [];
      for (const row of chunk) for (const c of this.columns) parameters.push(row[c]);
      await db.executeQuery(CompiledQuery.raw(this.#compile(db, chunk.length), parameters));
    }
  }

  #compile(db: Kysely<Database>, rows: number): string {
    let text = this.#sql.get(rows);
    if (text) return text;
    const row = Object.fromEntries(this.columns.map((c) => [c, null]));
    const compiled = db
      .insertInto(this.table)
      .values(Array.from({ length: rows }, () => row) as never)
      .onConflict((oc) => oc.columns([...this.conflict] as never).doNothing())
      .compile();
    // Parameters bind by position: the compiled text must take one per column of each row, in order.
    if (compiled.parameters.length !== rows * this.columns.length)
      throw new Error(`bulk insert into ${this.table}: compiled ${compiled.parameters.length} parameters`);
    text = compiled.sql;
    this.#sql.set(rows, text);
    return text;
  }
}
