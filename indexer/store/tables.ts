/**
 * The store's tables: the descriptors generated from prisma/schema.prisma (shared/db/generated),
 * grouped by what the store does with them, and the SQL it derives from their columns (loads in
 * the store's row representation, unnest upserts, deletes by key, undo images). No table or
 * column is named here: a model tagged `@store entity` is loaded, written and undone like the
 * others.
 */
import { TABLE, TABLES } from "../../shared/db/generated/tables.ts";
import type { AnyTable, Column, RowOf, Table } from "../../shared/db/table.ts";
import type { SqlValue } from "./bulk.ts";
import { dayToDate, isoTime } from "./calendar.ts";

export { TABLE, TABLES };

type Tables = typeof TABLE;
/** The names (camelCase) of the tables with role R. */
export type TableNameOf<R extends string> = {
  [K in keyof Tables]: Tables[K]["role"] extends R ? K : never;
}[keyof Tables];
export type EntityName = TableNameOf<"entity">;
export type AppendName = TableNameOf<"append">;
export type EntityTable = Tables[EntityName];
export type AppendTable = Tables[AppendName];

const names = Object.keys(TABLE) as (keyof Tables)[];
/** Current-state tables, parents before children. */
export const ENTITY_NAMES = names
  .filter((n) => TABLE[n].role === "entity")
  .sort((a, b) => TABLES.indexOf(TABLE[a] as never) - TABLES.indexOf(TABLE[b] as never)) as EntityName[];
/** Append-only tables, parents before children. */
export const APPEND_NAMES = names
  .filter((n) => TABLE[n].role === "append")
  .sort((a, b) => TABLES.indexOf(TABLE[a] as never) - TABLES.indexOf(TABLE[b] as never)) as AppendName[];

/** A row's identity in memory: its key value, or the key values as JSON when there are several. */
export type Key = string | number | bigint;

const jsonValue = (v: unknown) => (typeof v === "bigint" ? v.toString() : v);

/** The key of `row` (any object holding the table's key fields). */
export function keyOf<T extends AnyTable>(table: T, row: Partial<RowOf<T>>): Key {
  const fields = table.key as readonly string[];
  const r = row as Record<string, unknown>;
  if (fields.length === 1) return r[fields[0]!] as Key;
  return JSON.stringify(fields.map((f) => jsonValue(r[f])));
}

function columnNamed(table: AnyTable, field: string): Column {
  const c = table.columns.find((x) => x.field === field);
  if (!c) throw new Error(`table ${table.name} has no field ${field}`);
  return c;
}

export const keyColumns = (table: AnyTable): Column[] =>
  (table.key as readonly string[]).map((f) => columnNamed(table, f));

// ---------------------------------------------------------------------------------------- loads

/** A column as SQL giving the store's representation (see shared/db/table.ts). */
function selectExpr(c: Column, alias: string): string {
  const col = `${alias}.${c.name}`;
  switch (c.kind) {
    case "bigint":
      return `${col}::text`;
    case "time":
      return `extract(epoch from ${col})::float8`;
    case "date":
      return `(${col} - date '1970-01-01')`;
    case "enum":
    case "json":
      return `${col}::text`;
    case "bytes":
      return `'0x' || encode(${col}, 'hex')`;
    default:
      return col;
  }
}

/** The SELECT list of every column of `table`, as `selectExpr AS "field"`. */
export function selectList(table: AnyTable, alias: string): string {
  return table.columns.map((c) => `${selectExpr(c, alias)} AS "${c.field}"`).join(", ");
}

/** A row read with `selectList`, in the store's representation. */
export function rowFromSql<T extends AnyTable>(table: T, raw: Record<string, unknown>): RowOf<T> {
  const row: Record<string, unknown> = {};
  for (const c of table.columns) {
    const v = raw[c.field];
    if (v === null || v === undefined) {
      row[c.field] = null;
      continue;
    }
    switch (c.kind) {
      case "bigint":
        row[c.field] = BigInt(v as string);
        break;
      case "time":
      case "date":
      case "int":
      case "float":
        row[c.field] = Number(v);
        break;
      default:
        row[c.field] = v;
    }
  }
  return row as RowOf<T>;
}

/** One value in PostgreSQL's input form (unnest arrays, JSON images). */
export function sqlValue(c: Column, v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  switch (c.kind) {
    case "bigint":
      return (v as bigint).toString();
    case "time":
      return isoTime(v as number);
    case "date":
      return dayToDate(v as number);
    case "bytes":
      return `\\x${(v as string).slice(2)}`;
    default:
      return v as SqlValue;
  }
}

/** `SELECT …` of the rows of `table` whose key is one of `keys` (rows holding the key fields). */
export function selectByKeys<T extends AnyTable>(
  table: T,
  keys: readonly Partial<RowOf<T>>[],
): { text: string; values: unknown[] } {
  const cols = keyColumns(table);
  const unnest = cols.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(", ");
  return {
    text: `SELECT ${selectList(table, "t")} FROM ${table.name} t
      JOIN unnest(${unnest}) AS k(${cols.map((c) => c.name).join(", ")})
        ON ${cols.map((c) => `t.${c.name} = k.${c.name}`).join(" AND ")}`,
    values: cols.map((c) => keys.map((k) => sqlValue(c, (k as Record<string, unknown>)[c.field]))),
  };
}

/** `SELECT …` of the rows of `table` whose `field` is one of `values`. */
export function selectWhere<T extends AnyTable>(
  table: T,
  field: keyof RowOf<T> & string,
  values: readonly unknown[],
): { text: string; values: unknown[] } {
  const c = columnNamed(table, field);
  return {
    text: `SELECT ${selectList(table, "t")} FROM ${table.name} t WHERE t.${c.name} = ANY($1::${c.pgType}[])`,
    values: [values.map((v) => sqlValue(c, v))],
  };
}

// ---------------------------------------------------------------------------------------- writes

/** Column arrays of `rows`, for `INSERT … SELECT * FROM unnest(…)`. */
export function columnArrays<T extends AnyTable>(
  table: T,
  rows: readonly RowOf<T>[],
  columns: readonly Column[] = table.columns,
): SqlValue[][] {
  return columns.map((c) => rows.map((r) => sqlValue(c, (r as Record<string, unknown>)[c.field])));
}

/** "col = EXCLUDED.col, …" for every column but the key. */
export function excludedSet(table: AnyTable): string {
  return table.columns
    .filter((c) => !c.key)
    .map((c) => `${c.name} = EXCLUDED.${c.name}`)
    .join(", ");
}

export const keyList = (table: AnyTable) =>
  keyColumns(table)
    .map((c) => c.name)
    .join(", ");

// ---------------------------------------------------------------------------------------- undo images

/** A row as JSON with column names and values PostgreSQL reads back (json_populate_record). */
export function imageJson<T extends AnyTable>(table: T, row: RowOf<T>, onlyKey = false): string {
  const out: Record<string, unknown> = {};
  for (const c of onlyKey ? keyColumns(table) : table.columns) {
    const v = (row as Record<string, unknown>)[c.field];
    out[c.name] = c.kind === "json" && typeof v === "string" ? JSON.parse(v) : sqlValue(c, v);
  }
  return JSON.stringify(out);
}

/** The table descriptor named `name` (its PostgreSQL name), for rows of the undo log. */
export function tableNamed(name: string): Table<unknown> {
  const t = TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`the undo log names table ${name}, which the schema does not have`);
  return t as unknown as Table<unknown>;
}
