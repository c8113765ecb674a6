/**
 * Bulk SQL for the indexer's hot path: COPY for append-only rows, `unnest` for upserts.
 * Prisma stays the model and the API's client; these write tens of thousands of rows a second.
 */
import type { PoolClient } from "pg";
import copyStreams from "pg-copy-streams";

export type SqlValue = string | number | bigint | boolean | null | undefined;

/** Escapes one value for COPY's text format. */
function copyValue(value: SqlValue): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value === "string") {
    return /[\\\n\r\t]/.test(value)
      ? value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")
      : value;
  }
  if (typeof value === "boolean") return value ? "t" : "f";
  return String(value);
}

/** COPY rows into `table` (text format). Rows are arrays in `columns` order. */
export async function copyRows(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  rows: SqlValue[][],
): Promise<void> {
  if (rows.length === 0) return;
  const stream = client.query(copyStreams.from(`COPY ${table} (${columns.join(", ")}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
  });
  // Write in ~1 MiB chunks: few syscalls, bounded memory.
  let chunk = "";
  for (const row of rows) {
    let line = "";
    for (let i = 0; i < row.length; i++) line += (i === 0 ? "" : "\t") + copyValue(row[i]);
    chunk += `${line}\n`;
    if (chunk.length > 1 << 20) {
      if (!stream.write(chunk)) await new Promise((r) => stream.once("drain", r));
      chunk = "";
    }
  }
  stream.end(chunk);
  await done;
}

export interface Column {
  name: string;
  /** The Postgres type of one element: "bigint", "text", "stage", … */
  type: string;
}

/**
 * INSERT … SELECT FROM unnest(…) — one statement for any number of rows.
 * `onConflict` is the tail, e.g. "ON CONFLICT (id) DO UPDATE SET stage = EXCLUDED.stage".
 */
export async function insertUnnest(
  client: PoolClient,
  table: string,
  columns: readonly Column[],
  rows: SqlValue[][],
  onConflict = "",
): Promise<void> {
  if (rows.length === 0) return;
  const arrays: SqlValue[][] = columns.map(() => new Array(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let c = 0; c < columns.length; c++) {
      const v = row[c];
      arrays[c]![r] = typeof v === "bigint" ? v.toString() : (v ?? null);
    }
  }
  const names = columns.map((c) => c.name).join(", ");
  const unnest = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ");
  await client.query(`INSERT INTO ${table} (${names}) SELECT * FROM unnest(${unnest}) ${onConflict}`, arrays);
}

/** "col = EXCLUDED.col, …" for every column but the keys. */
export function excludedSet(columns: readonly Column[], keys: readonly string[]): string {
  return columns
    .filter((c) => !keys.includes(c.name))
    .map((c) => `${c.name} = EXCLUDED.${c.name}`)
    .join(", ");
}
