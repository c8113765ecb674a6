/**
 * Keyset (cursor) pagination: a cursor is the sort key of the last row seen, opaque to clients
 * (base64url JSON). Pages never use OFFSET, so page 1,000 costs what page 1 costs.
 */
import { ValidationError } from "../shared/errors.ts";
import type { ApiSettings } from "./context.ts";

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Connection<T> {
  nodes: T[];
  pageInfo: PageInfo;
}

/** The page size asked for, checked against MAX_PAGE_SIZE. */
export function pageSize(args: PageArgs, settings: ApiSettings): number {
  const first = args.first ?? settings.defaultPageSize;
  if (!Number.isInteger(first) || first < 1) throw new ValidationError("`first` must be a positive integer");
  if (first > settings.maxPageSize) {
    throw new ValidationError(
      `\`first\` is ${first}; at most ${settings.maxPageSize} per page (MAX_PAGE_SIZE)`,
      {
        details: { max: settings.maxPageSize },
      },
    );
  }
  return first;
}

export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/** Decodes a cursor into `arity` values; a cursor that was not made here is BAD_USER_INPUT. */
export function decodeCursor(cursor: string, arity: number): unknown[] {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(value) && value.length === arity) return value;
  } catch {
    // fall through
  }
  throw new ValidationError("invalid cursor: pass back an endCursor from a previous page");
}

/** Rows fetched with LIMIT size + 1 → the page and whether more follow. */
export function toConnection<T>(
  rows: T[],
  size: number,
  keyOf: (row: T) => readonly unknown[],
): Connection<T> {
  const hasNextPage = rows.length > size;
  const nodes = hasNextPage ? rows.slice(0, size) : rows;
  const last = nodes.at(-1);
  return {
    nodes,
    pageInfo: { hasNextPage, endCursor: last === undefined ? null : encodeCursor(keyOf(last)) },
  };
}
