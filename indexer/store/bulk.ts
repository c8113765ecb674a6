/**
 * Bulk SQL for the indexer's hot path: COPY for append-only rows, `unnest` for upserts.
 * Prisma stays the model and the API's client; these write tens of thousands of rows a second.
 *
 * Writes are planned as data (WriteSteps, with COPY payloads already encoded), then run in order
 * inside a transaction: a batch is encoded while the previous one is still being written.
 */
import type { ClientBase } from "pg";
import copyStreams from "pg-copy-streams";
import { CopyWriter } from "./copy-writer.ts";

export type SqlValue = string | number | bigint | boolean | null | undefined;

/** One statement of a planned write. `label` groups steps in the batch timings. */
export type WriteStep =
  | { kind: "query"; label: string; text: string; values: unknown[] }
  | { kind: "copy"; label: string; text: string; chunks: Uint8Array[] };

/** COPY rows into `table` (text format): arrays in `columns` order, or rows already written. */
export function copyStep(
  table: string,
  columns: readonly string[],
  rows: readonly SqlValue[][] | CopyWriter,
  label = table,
): WriteStep | null {
  let writer: CopyWriter;
  if (rows instanceof CopyWriter) writer = rows;
  else {
    writer = new CopyWriter();
    for (const row of rows) {
      for (const v of row) writer.value(v);
      writer.end();
    }
  }
  if (writer.rows === 0) return null;
  return {
    kind: "copy",
    label,
    text: `COPY ${table} (${columns.join(", ")}) FROM STDIN`,
    chunks: writer.finish(),
  };
}

export interface Column {
  name: string;
  /** The Postgres type of one element: "bigint", "text", "stage", … */
  type: string;
}

/**
 * INSERT … SELECT FROM unnest(…): one statement for any number of rows. Null when no rows.
 * `onConflict` is the tail, e.g. "ON CONFLICT (id) DO UPDATE SET stage = EXCLUDED.stage".
 */
export function unnestStep(
  table: string,
  columns: readonly Column[],
  rows: readonly SqlValue[][],
  onConflict = "",
  label = table,
): WriteStep | null {
  if (rows.length === 0) return null;
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
  return {
    kind: "query",
    label,
    text: `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${unnest}) ${onConflict}`,
    values: arrays,
  };
}

/** "col = EXCLUDED.col, …" for every column but the keys. */
export function excludedSet(columns: readonly Column[], keys: readonly string[]): string {
  return columns
    .filter((c) => !keys.includes(c.name))
    .map((c) => `${c.name} = EXCLUDED.${c.name}`)
    .join(", ");
}

async function runCopy(client: ClientBase, step: Extract<WriteStep, { kind: "copy" }>): Promise<void> {
  const stream = client.query(copyStreams.from(step.text));
  const done = new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
  });
  for (let i = 0; i < step.chunks.length - 1; i++) {
    if (!stream.write(step.chunks[i])) await new Promise((r) => stream.once("drain", r));
  }
  stream.end(step.chunks[step.chunks.length - 1]);
  await done;
}

/** Milliseconds spent per label, for the debug log. */
export type WriteTimings = Record<string, number>;

/** Runs planned steps in order (inside the caller's transaction); null steps are skipped. */
export async function runWriteSteps(
  client: ClientBase,
  steps: readonly (WriteStep | null)[],
  timings?: WriteTimings,
): Promise<void> {
  for (const step of steps) {
    if (!step) continue;
    const started = performance.now();
    if (step.kind === "copy") await runCopy(client, step);
    else await client.query(step.text, step.values);
    if (timings) {
      const key = `${step.label}_ms`;
      timings[key] = (timings[key] ?? 0) + performance.now() - started;
    }
  }
}
