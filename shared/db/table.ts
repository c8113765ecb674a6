/**
 * What the generated table descriptors are made of (shared/db/generated/tables.ts, written by
 * prisma/tables-generator.ts from prisma/schema.prisma at `npm run db:generate`): the column
 * kinds, the descriptor of a table, and the value types a row holds in the indexer's store and
 * in the API's rows. Nothing here names a table: prisma/schema.prisma is the one place that does.
 */

/** How a column's values are represented; derived from the Prisma type and its native type. */
export type ColumnKind =
  | "int" // Int (integer, smallint): number
  | "bigint" // BigInt: bigint in the store, decimal text in the API
  | "float" // Float: number
  | "text" // String: string (any text; COPY escapes it)
  | "bool" // Boolean
  | "time" // DateTime @db.Timestamptz: unix seconds in the store, Date in the API
  | "date" // DateTime @db.Date: days since 1970-01-01 in the store, "YYYY-MM-DD" in the API
  | "enum" // a Prisma enum: its database label
  | "json" // Json: the JSON text in the store, the parsed value in the API
  | "bytes"; // Bytes: 0x-hex in the store

/** One column of a table, as prisma/schema.prisma declares it. */
export interface Column {
  /** The Prisma field name (the row's property). */
  readonly field: string;
  /** The column name in PostgreSQL. */
  readonly name: string;
  readonly kind: ColumnKind;
  /** The PostgreSQL type of one value: "bigint", "smallint", "stage", "timestamptz", … */
  readonly pgType: string;
  readonly nullable: boolean;
  /** Part of the primary key (or of the unique key that identifies a row). */
  readonly key: boolean;
  /** An enum column's labels. */
  readonly labels?: readonly string[];
}

/**
 * What the indexer's store does with a table (the `@store` tag of its model):
 * - `entity`: current state, keyed; changes in unfinalized blocks are undo-logged;
 * - `append`: rows per event, never changed; a reorg deletes those above the common ancestor;
 * - `rollup`: counters derived from entity rows, kept by deltas;
 * - `queue`: rows the indexer only creates and other processes then own (the verifier's queue);
 * - `meta`: the indexer's own bookkeeping (checkpoint, recent headers, the undo log).
 */
export type StoreRole = "entity" | "append" | "rollup" | "queue" | "meta";

/** The COPY text writer the generated encoders write rows into (indexer/store/copy-writer.ts). */
export interface CopySink {
  int(n: number): unknown;
  bigint(n: bigint): unknown;
  float(n: number): unknown;
  text(s: string): unknown;
  bool(b: boolean): unknown;
  time(unixSeconds: number): unknown;
  date(epochDay: number): unknown;
  label(s: string): unknown;
  bytes(hex: string): unknown;
  null(): unknown;
  end(): unknown;
}

export interface ForeignKey {
  readonly columns: readonly string[];
  readonly table: string;
  readonly to: readonly string[];
}

/** A table of prisma/schema.prisma with rows of type R (in the store's representation). */
export interface Table<R> {
  readonly model: string;
  readonly name: string;
  readonly role: StoreRole;
  /** The fields that identify a row (primary key, or the model's unique key). */
  readonly key: readonly (keyof R & string)[];
  /** `append` tables: the column holding the block number, which a reorg deletes by. */
  readonly blockColumn: string | null;
  /** Its foreign keys: `columns` of this table reference `to` of `table`. */
  readonly foreignKeys: readonly ForeignKey[];
  readonly columns: readonly Column[];
  /** Writes `row` as one line of COPY text, columns in `columns` order. */
  encode(w: CopySink, row: R): void;
}

// biome-ignore lint/suspicious/noExplicitAny: the row type is what is inferred here
export type AnyTable = Table<any>;

/** The row type of a table descriptor. */
export type RowOf<T> = T extends Table<infer R> ? R : never;

/** The field names of a table. */
export type FieldOf<T extends AnyTable> = T["columns"][number]["field"];

/** Unix seconds (a timestamptz column in the store's rows). */
export type UnixSeconds = number;
/** Days since 1970-01-01 (a date column in the store's rows). */
export type EpochDay = number;
/** 0x-prefixed hex (a bytea column in the store's rows). */
export type HexBytes = `0x${string}`;

type ColumnNamed<T extends AnyTable, F extends string> = Extract<T["columns"][number], { field: F }>;

/** A column's value as the API reads it (see shared/db/select.ts for the SQL that produces it). */
export type ApiValue<C extends Column> =
  | (C["kind"] extends "int" | "float"
      ? number
      : C["kind"] extends "bigint" | "text" | "date" | "bytes"
        ? string
        : C["kind"] extends "bool"
          ? boolean
          : C["kind"] extends "time"
            ? Date
            : C["kind"] extends "enum"
              ? C extends { labels: readonly (infer L)[] }
                ? L
                : string
              : unknown)
  | (C["nullable"] extends true ? null : never);

/** The API's row of table T with fields F. */
export type ApiRow<T extends AnyTable, F extends FieldOf<T>> = {
  [K in F]: ApiValue<ColumnNamed<T, K>>;
};
