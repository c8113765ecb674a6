/**
 * Queries as named (server-side prepared) statements: PostgreSQL parses each distinct text once
 * per connection, and plans it once too when its generic plan costs no more than the custom ones
 * (keep parameters that PostgreSQL can estimate: see key-param.ts). Names derive from the text, so
 * dynamic filters (a bounded set of texts) each get their own.
 */
import { createHash } from "node:crypto";
import type { Pool, QueryResult, QueryResultRow } from "pg";

const names = new Map<string, string>();

function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `doctel_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    if (names.size < 10_000) names.set(text, name);
  }
  return name;
}

/** What reads need of a pool: a pg.Pool, or the read router's (graphql/read-replica.ts). */
export type Queryable = Pick<Pool, "query">;

export function prepared<R extends QueryResultRow>(
  pool: Queryable,
  text: string,
  values: unknown[],
): Promise<QueryResult<R>> {
  return pool.query<R>({ name: nameOf(text), text, values });
}
