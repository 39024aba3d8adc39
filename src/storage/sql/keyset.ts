import { sql } from "kysely";
import type { SelectQueryBuilder } from "kysely";
import { BadRequestError } from "../../errors.js";

/** A row's place in a newest-first listing: its time, then its id to break ties. */
type Key = [time: number, id: string];

function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

function decodeCursor(cursor: string): Key {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && typeof value[0] === "number" && typeof value[1] === "string")
      return [value[0], value[1]];
  } catch {
    // fall through: an unreadable cursor is the caller's error
  }
  throw new BadRequestError("Invalid cursor");
}

/**
 * A newest-first page by (time, id) columns: the rows after the cursor's (none: from the newest),
 * at most `limit` of them, and the cursor of the next page (null on the last).
 */
export async function keysetPage<DB, TB extends keyof DB, Row, T>(
  query: SelectQueryBuilder<DB, TB, Row>,
  columns: { time: string; id: string },
  q: { cursor?: string; limit: number },
  toItem: (row: Row) => T,
  keyOf: (item: T) => Key,
): Promise<{ items: T[]; nextCursor: string | null }> {
  if (q.cursor) {
    const [time, id] = decodeCursor(q.cursor);
    const [t, i] = [sql.ref(columns.time), sql.ref(columns.id)];
    query = query.where(sql<boolean>`(${t} < ${time} or (${t} = ${time} and ${i} < ${id}))`);
  }
  const rows = await query
    .orderBy(sql.ref(columns.time), "desc")
    .orderBy(sql.ref(columns.id), "desc")
    .limit(q.limit + 1)
    .execute();
  const more = rows.length > q.limit;
  const items = (more ? rows.slice(0, q.limit) : rows).map(toItem);
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor(keyOf(last)) : null };
}
