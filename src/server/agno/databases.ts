import { z } from "zod";
import { BadRequestError, NotFoundError } from "../../errors.js";
import type { ServerContext } from "../context.js";

/** Agno's `db_id` and `table` query parameters of data routes. */
export const dbQuery = {
  db_id: z.string().min(1).optional().describe("A database id from /config"),
  table: z.string().min(1).optional().describe("Table name (needs db_id)"),
};

/** The ids of the OS's databases: its store, then the knowledge bases' stores. */
export function databaseIds(ctx: ServerContext): string[] {
  return [...new Set([ctx.store.id, ...ctx.knowledge.stores().map((db) => db.id)])];
}

/** Checks Agno's db selection: `table` needs `db_id` (400), an unknown `db_id` is 404. */
export function checkDatabase(ctx: ServerContext, q: { db_id?: string; table?: string }): void {
  if (q.table && !q.db_id)
    throw new BadRequestError("The db_id query parameter is required when using table");
  if (q.db_id && !databaseIds(ctx).includes(q.db_id))
    throw new NotFoundError(`Database with id '${q.db_id}' not found`);
}
