/**
 * Typed SELECT lists for the API's SQL, from the generated table descriptors: `select(table,
 * alias, fields)` is the SQL that reads those columns as the API's rows (bigints and dates as
 * text, enums as their labels, times as Date, JSON parsed) together with the row type that SQL
 * produces. Row types are derived from prisma/schema.prisma, never written by hand: a column
 * renamed or retyped there changes the type every query built on it returns.
 *
 * Why not Prisma TypedSQL: it needs the schema engine to introspect each query against a live
 * database, and the only engine on this project's machines is the WebAssembly build
 * (prisma/migrate.ts), whose `introspectSql` fails (its driver-adapter interface cannot describe a
 * prepared statement: the call recurses until the stack overflows). TypedSQL also types only
 * static SQL files, and the API's heavy queries are assembled per request (access predicates,
 * optional filters, keyset cursors).
 */
import type { AnyTable, ApiRow, ApiValue, Column, FieldOf } from "./table.ts";

/** SQL of a SELECT list, and (as a type only) the row it produces. */
export interface Selection<R> {
  readonly sql: string;
  /** Never set: carries the row type. */
  readonly row?: R;
}

export type SelectedRow<S> = S extends Selection<infer R> ? R : never;

type ColumnNamed<T extends AnyTable, F extends string> = Extract<T["columns"][number], { field: F }>;

function columnOf(table: AnyTable, field: string): Column {
  const c = table.columns.find((x) => x.field === field);
  if (!c) throw new Error(`table ${table.name} has no field ${field}`);
  return c;
}

/** The database name of a field's column. */
export function columnName<T extends AnyTable>(table: T, field: FieldOf<T>): string {
  return columnOf(table, field).name;
}

/** A column as the API reads it (see ApiValue). */
export function apiExpr(c: Column, alias: string): string {
  const col = `${alias}.${c.name}`;
  switch (c.kind) {
    case "bigint":
    case "date":
    case "enum":
      return `${col}::text`;
    case "bytes":
      return `'0x' || encode(${col}, 'hex')`;
    default:
      return col;
  }
}

/** Fields of `table` under their own names. */
export function select<T extends AnyTable, const F extends readonly FieldOf<T>[]>(
  table: T,
  alias: string,
  fields: F,
): Selection<ApiRow<T, F[number]>> {
  return {
    sql: fields.map((f) => `${apiExpr(columnOf(table, f), alias)} AS "${f}"`).join(", "),
  };
}

/** Every field of `table` but `except`, under their own names (a new column is read too). */
export function selectExcept<T extends AnyTable, const E extends readonly FieldOf<T>[]>(
  table: T,
  alias: string,
  except: E,
): Selection<ApiRow<T, Exclude<FieldOf<T>, E[number]>>> {
  const skip = new Set<string>(except);
  return {
    sql: table.columns
      .filter((c) => !skip.has(c.field))
      .map((c) => `${apiExpr(c, alias)} AS "${c.field}"`)
      .join(", "),
  };
}

/** Fields of `table` under other names: `{ hash: "blockHash" }`. */
export function selectAs<T extends AnyTable, const M extends { readonly [F in FieldOf<T>]?: string }>(
  table: T,
  alias: string,
  names: M,
): Selection<{ [F in keyof M as M[F] & string]: ApiValue<ColumnNamed<T, F & string>> }> {
  return {
    sql: Object.entries(names)
      .map(([f, as]) => `${apiExpr(columnOf(table, f), alias)} AS "${as as string}"`)
      .join(", "),
  };
}

type Merged<S extends readonly Selection<unknown>[]> = S extends readonly [
  infer H,
  ...infer R extends readonly Selection<unknown>[],
]
  ? SelectedRow<H> & Merged<R>
  : unknown;

/** Several selections in one list (columns of joined tables). */
export function combine<const S extends readonly Selection<unknown>[]>(...parts: S): Selection<Merged<S>> {
  return { sql: parts.map((p) => p.sql).join(", ") };
}

/** Every field of a row type made nullable (rows of an outer join or an aggregate). */
export type Nullable<R> = { [K in keyof R]: R[K] | null };
