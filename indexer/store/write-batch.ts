/**
 * Plans the writes of a folded BatchState, table by table as the schema declares them: unnest
 * upserts and deletes for the current-state rows a batch touched (parents first, children first
 * for deletes), rollup deltas, COPY for the append-only rows and the undo log. The plan holds
 * values, not references to the state, so the next batch may fold onto the same rows while this
 * one is being written.
 */
import type { PoolClient } from "pg";
import { VERIFY_CHANNEL } from "../../shared/db/channels.ts";
import type { PatientRow, TreatmentRow } from "../../shared/db/generated/tables.ts";
import type { AnyTable, RowOf } from "../../shared/db/table.ts";
import type { BatchState, EntityRows } from "./batch-state.ts";
import { copyStep, runWriteSteps, type SqlValue, unnestStep, type WriteStep } from "./bulk.ts";
import { addTreatmentDelta, createRollupDeltas, type RollupDeltas, rollupSteps } from "./rollups.ts";
import {
  APPEND_NAMES,
  columnArrays,
  ENTITY_NAMES,
  excludedSet,
  type Key,
  keyColumns,
  keyList,
  TABLE,
} from "./tables.ts";

/** INSERT … ON CONFLICT (key) DO UPDATE of whole rows. */
export function upsertStep<T extends AnyTable>(
  table: T,
  rows: readonly RowOf<T>[],
  label: string = table.name,
): WriteStep | null {
  return unnestStep(
    table.name,
    table.columns,
    columnArrays(table, rows),
    `ON CONFLICT (${keyList(table)}) DO UPDATE SET ${excludedSet(table)}`,
    label,
  );
}

/** DELETE of the rows with these keys (rows holding the key fields). */
export function deleteStep<T extends AnyTable>(
  table: T,
  keys: readonly Partial<RowOf<T>>[],
  label: string = table.name,
): WriteStep | null {
  if (keys.length === 0) return null;
  const cols = keyColumns(table);
  const unnest = cols.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(", ");
  return {
    kind: "query",
    label,
    text: `DELETE FROM ${table.name} t USING unnest(${unnest}) AS k(${cols.map((c) => c.name).join(", ")})
     WHERE ${cols.map((c) => `t.${c.name} = k.${c.name}`).join(" AND ")}`,
    values: columnArrays(table, keys as RowOf<T>[], cols),
  };
}

export async function upsertPatients(client: PoolClient, rows: PatientRow[]): Promise<void> {
  await runWriteSteps(client, [upsertStep(TABLE.patient, rows)]);
}

export async function upsertTreatments(client: PoolClient, rows: TreatmentRow[]): Promise<void> {
  await runWriteSteps(client, [upsertStep(TABLE.treatment, rows)]);
}

export async function applyRollupDeltas(client: PoolClient, deltas: RollupDeltas): Promise<void> {
  await runWriteSteps(client, rollupSteps(deltas));
}

/** The touched rows of an entity table: those to write, and the keys of those deleted. */
function touchedRows<T extends AnyTable>(rows: EntityRows<T>): { live: RowOf<T>[]; gone: RowOf<T>[] } {
  const live: RowOf<T>[] = [];
  const gone: RowOf<T>[] = [];
  for (const key of rows.touched) {
    const row = rows.rows.get(key);
    if (row) live.push(row);
    else {
      // Deleted: its key fields are those of the row as it was before the batch, or of the key.
      const before = rows.before.get(key);
      if (before) gone.push(before);
      else gone.push(keyRow(rows.table, key));
    }
  }
  return { live, gone };
}

/** The key fields of a key (see tables.ts keyOf). */
function keyRow<T extends AnyTable>(table: T, key: Key): RowOf<T> {
  const fields = table.key as readonly string[];
  const values: unknown[] = fields.length === 1 ? [key] : JSON.parse(key as string);
  const row: Record<string, unknown> = {};
  fields.forEach((f, i) => {
    const c = table.columns.find((x) => x.field === f)!;
    row[f] = c.kind === "bigint" ? BigInt(values[i] as string | bigint) : values[i];
  });
  return row as RowOf<T>;
}

/** The statements that write `state`, in order. */
export function planBatchWrites(state: BatchState): (WriteStep | null)[] {
  const steps: (WriteStep | null)[] = [];
  const writes = ENTITY_NAMES.map((name) => ({
    name,
    ...touchedRows(state.tables[name] as EntityRows<AnyTable>),
  }));

  // Files to verify: queued before their attachments reference them.
  if (state.files.size > 0) {
    const files = [...state.files.values()];
    steps.push({
      kind: "query",
      label: "files",
      text: `INSERT INTO file_verification (cid, status, last_error)
             SELECT cid, status::verification_status, last_error FROM unnest($1::text[], $2::text[], $3::text[]) AS f(cid, status, last_error)
             ON CONFLICT (cid) DO NOTHING`,
      values: [
        files.map((f) => f.cid),
        files.map((f) => (f.invalid === null ? "PENDING" : "INVALID")),
        files.map((f) => f.invalid as SqlValue),
      ],
    });
  }
  // Current state: parents before children; deletions children first.
  for (const w of writes) steps.push(upsertStep(TABLE[w.name] as AnyTable, w.live, w.name));
  for (const w of [...writes].reverse()) steps.push(deleteStep(TABLE[w.name] as AnyTable, w.gone, w.name));

  // Rollups: each touched treatment's contribution, before the batch and now.
  const treatments = state.tables.treatment;
  const deltas = createRollupDeltas();
  for (const id of treatments.touched) {
    addTreatmentDelta(deltas, treatments.before.get(id) ?? null, treatments.rows.get(id) ?? null);
  }
  steps.push(...rollupSteps(deltas));

  for (const name of APPEND_NAMES) steps.push(copyStep(TABLE[name], state.tables[name].writer, name));
  steps.push(copyStep(TABLE.undoLog, state.undo.rows, "undo"));
  // Wakes verification workers once the transaction commits.
  if (state.files.size > 0) {
    steps.push({ kind: "query", label: "files", text: "SELECT pg_notify($1, '')", values: [VERIFY_CHANNEL] });
  }
  return steps;
}
