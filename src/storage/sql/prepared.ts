import { CompiledQuery } from "kysely";
import type { Compilable, Kysely, QueryResult } from "kysely";
import type { Database } from "./schema.js";

const MARK = "\u0000agentos-param:";

/** Stands for a named parameter while the statement is built; typed to fit wherever a value goes. */
export type Param<P> = (name: keyof P & string) => never;

/**
 * A statement built and compiled by Kysely once, then run with new values: on the run path, where
 * every run writes the same dozen statements, building Kysely's query tree and compiling it again
 * each time cost more CPU than SQLite spent running them. Values are bound by name; a value the
 * statement was built with (not a parameter) is bound as it was.
 */
export class Prepared<P extends object, R = unknown> {
  #compiled: { sql: string; slots: ({ name: string } | { value: unknown })[] } | undefined;

  constructor(private readonly build: (db: Kysely<Database>, p: Param<P>) => Compilable<R>) {}

  execute(db: Kysely<Database>, values: P): Promise<QueryResult<R>> {
    const { sql, slots } = (this.#compiled ??= this.#compile(db));
    // A value left undefined binds as NULL: drivers refuse undefined, and the column is in the statement.
    const parameters = slots.map((s) =>
      "name" in s ? ((values as Record<string, unknown>)[s.name] ?? null) : s.value,
    );
    return db.executeQuery<R>(CompiledQuery.raw(sql, parameters) as CompiledQuery<R>);
  }

  async first(db: Kysely<Database>, values: P): Promise<R | undefined> {
    return (await this.execute(db, values)).rows[0];
  }

  #compile(db: Kysely<Database>) {
    const compiled = this.build(db, ((name: string) => `${MARK}${name}`) as unknown as Param<P>).compile();
    const slots = compiled.parameters.map((v) =>
      typeof v === "string" && v.startsWith(MARK) ? { name: v.slice(MARK.length) } : { value: v },
    );
    return { sql: compiled.sql, slots };
  }
}

/** `{ column: p(column) }` for each column: the values of an insert or an update, as parameters. */
export function params<P, K extends keyof P & string>(p: Param<P>, columns: readonly K[]): Record<K, never> {
  return Object.fromEntries(columns.map((c) => [c, p(c)])) as Record<K, never>;
}
