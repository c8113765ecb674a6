/**
 * Bulk SQL for the indexer's hot path: COPY for append-only rows, `unnest` for upserts.
 * Prisma stays the model and the API's client; these write tens of thousands of rows a second.
 *
 * Writes are planned as data (WriteSteps, with COPY payloads already encoded), then run in order
 * inside a transaction: a batch is encoded while the previous one is still being written.
 */
import type { ClientBase } from "pg";
import copyStreams from "pg-copy-streams";
import type { AnyTable, Column, RowOf } from "../../shared/db/table.ts";
import { CopyWriter } from "./copy-writer.ts";

export type SqlValue = string | number | bigint | boolean | null | undefined;

/** One statement of a planned write. `label` groups steps in the batch timings. */
export type WriteStep =
  | { kind: "query"; label: string; text: string; values: unknown[] }
  | { kind: "copy"; label: string; text: string; chunks: Uint8Array[] };

/** Where a COPY goes: a table and its columns in the order rows are written. */
export interface CopyTarget {
  readonly name: string;
  readonly columns: readonly { readonly name: string }[];
}

/** COPY the rows `writer` holds (encoded by `table.encode`) into `table`; null when none. */
export function copyStep(
  table: CopyTarget,
  writer: CopyWriter,
  label: string = table.name,
): WriteStep | null {
  if (writer.rows === 0) return null;
  return {
    kind: "copy",
    label,
    text: `COPY ${table.name} (${table.columns.map((c) => c.name).join(", ")}) FROM STDIN`,
    chunks: writer.finish(),
  };
}

/** COPY `rows` into `table` through its generated encoder. */
export function copyRowsStep<T extends AnyTable>(
  table: T,
  rows: readonly RowOf<T>[],
  label: string = table.name,
): WriteStep | null {
  const writer = new CopyWriter();
  for (const row of rows) table.encode(writer, row);
  return copyStep(table, writer, label);
}

/**
 * INSERT … SELECT FROM unnest(…): one statement for any number of rows, given as one array per
 * column (in `columns` order). Null when there are no rows. `tail` is e.g. "ON CONFLICT (id) DO
 * UPDATE SET stage = EXCLUDED.stage".
 */
export function unnestStep(
  table: string,
  columns: readonly Column[],
  arrays: readonly SqlValue[][],
  tail = "",
  label = table,
): WriteStep | null {
  if ((arrays[0]?.length ?? 0) === 0) return null;
  const names = columns.map((c) => c.name).join(", ");
  const unnest = columns.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(", ");
  return {
    kind: "query",
    label,
    text: `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${unnest}) ${tail}`,
    values: arrays as unknown[],
  };
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
