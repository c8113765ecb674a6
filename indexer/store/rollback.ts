/**
 * Undoes everything after a common ancestor, inside the caller's transaction, from the undo log
 * alone: no event is replayed and no event type is named.
 *
 * 1. Append-only rows (`@store append`) above the ancestor are deleted; the verification queue
 *    loses the files that only those rows referenced.
 * 2. Current-state rows (`@store entity`) changed above the ancestor get back the image they had
 *    before their first change above it: undo images restored newest first end with the oldest
 *    one, so only the oldest image of each row is applied. A row whose oldest image is "did not
 *    exist" is deleted (children first); the others are written back (parents first).
 * 3. Rollups get the difference between the treatments as they were and as they are restored.
 * 4. The undo log above the ancestor goes, with the headers of the reorganized blocks.
 *
 * Why images written by the store rather than triggers, and how this compares with Ponder and
 * graph-node: docs/reorgs.md.
 */
import type { PoolClient } from "pg";
import type { TreatmentRow } from "../../shared/db/generated/tables.ts";
import type { AnyTable } from "../../shared/db/table.ts";
import { runWriteSteps } from "./bulk.ts";
import { addTreatmentDelta, createRollupDeltas, rollupSteps } from "./rollups.ts";
import {
  APPEND_NAMES,
  ENTITY_NAMES,
  excludedSet,
  type Key,
  keyColumns,
  keyList,
  keyOf,
  rowFromSql,
  selectList,
  TABLE,
  TABLES,
} from "./tables.ts";

export interface RollbackResult {
  /** Append-only rows deleted (events, their derived rows and blocks). */
  deleted: number;
  /** Current-state rows restored or deleted. */
  restored: number;
}

async function treatmentsAt(client: PoolClient, ids: string[]): Promise<Map<Key, TreatmentRow>> {
  const t = TABLE.treatment;
  const { rows } = await client.query(
    `SELECT ${selectList(t, "t")} FROM ${t.name} t WHERE t.${keyColumns(t)[0]!.name} = ANY($1::bigint[])`,
    [ids],
  );
  return new Map(rows.map((raw) => rowFromSql(t, raw)).map((r) => [keyOf(t, r), r]));
}

/** Foreign keys from append-only tables to queue tables: a queue row only they referenced goes with them. */
const QUEUE_REFERENCES = APPEND_NAMES.flatMap((name) =>
  TABLE[name].foreignKeys
    .filter((fk) => TABLES.some((t) => t.name === fk.table && t.role === "queue"))
    .map((fk) => ({ from: TABLE[name] as AnyTable, ...fk })),
);

export async function rollbackTo(client: PoolClient, ancestor: bigint): Promise<RollbackResult> {
  const a = ancestor.toString();

  // The oldest image of each row changed above the ancestor.
  await client.query(
    `CREATE TEMP TABLE undo_restore ON COMMIT DROP AS
     SELECT DISTINCT ON (u.table_name, u.key::text) u.table_name, u.key, u.image
       FROM undo_log u WHERE u.block_number > $1
      ORDER BY u.table_name, u.key::text, u.block_number, u.log_index, u.seq`,
    [a],
  );
  const { rows: tables } = await client.query<{ table_name: string }>(
    "SELECT DISTINCT table_name FROM undo_restore",
  );
  const restoring = new Set(tables.map((r) => r.table_name));

  // Treatments before the rollback, for the rollup difference.
  const treatmentKey = keyColumns(TABLE.treatment)[0]!.name;
  const { rows: treatmentKeys } = await client.query<{ id: string }>(
    `SELECT key->>'${treatmentKey}' AS id FROM undo_restore WHERE table_name = $1`,
    [TABLE.treatment.name],
  );
  const ids = treatmentKeys.map((r) => r.id);
  const before = ids.length > 0 ? await treatmentsAt(client, ids) : new Map<Key, TreatmentRow>();

  // 1. Append-only rows; queue rows (files to verify) that only they referenced.
  let deleted = 0;
  const dropped = new Map<(typeof QUEUE_REFERENCES)[number], unknown[]>();
  for (const name of APPEND_NAMES) {
    const t = TABLE[name];
    const refs = QUEUE_REFERENCES.filter((r) => r.from === (t as AnyTable));
    const returning = refs.length > 0 ? ` RETURNING ${refs.flatMap((r) => r.columns).join(", ")}` : "";
    const result = await client.query(`DELETE FROM ${t.name} WHERE ${t.blockColumn} > $1${returning}`, [a]);
    deleted += result.rowCount ?? 0;
    for (const r of refs)
      dropped.set(
        r,
        result.rows.map((row) => row[r.columns[0]!]),
      );
  }
  for (const [r, values] of dropped) {
    if (values.length === 0) continue;
    const queue = TABLES.find((t) => t.name === r.table)! as AnyTable;
    const to = queue.columns.find((c) => c.name === r.to[0])!;
    const referrers = TABLES.flatMap((t) =>
      t.foreignKeys
        .filter((fk) => fk.table === r.table)
        .map((fk) => ({ table: t.name, column: fk.columns[0]! })),
    );
    await client.query(
      `DELETE FROM ${queue.name} q WHERE q.${to.name} = ANY($1::${to.pgType}[])
         AND NOT (${referrers.map((x) => `EXISTS (SELECT 1 FROM ${x.table} x WHERE x.${x.column} = q.${to.name})`).join(" OR ")})`,
      [[...new Set(values)]],
    );
  }

  // 2. Current state: rows that did not exist yet go (children first), the others come back.
  let restored = 0;
  for (const name of [...ENTITY_NAMES].reverse()) {
    const t = TABLE[name] as AnyTable;
    if (!restoring.has(t.name)) continue;
    const result = await client.query(
      `DELETE FROM ${t.name} t USING undo_restore u, json_populate_record(NULL::${t.name}, u.key) k
        WHERE u.table_name = $1 AND u.image IS NULL
          AND ${keyColumns(t)
            .map((c) => `t.${c.name} = k.${c.name}`)
            .join(" AND ")}`,
      [t.name],
    );
    restored += result.rowCount ?? 0;
  }
  for (const name of ENTITY_NAMES) {
    const t = TABLE[name] as AnyTable;
    if (!restoring.has(t.name)) continue;
    const result = await client.query(
      `INSERT INTO ${t.name} (${t.columns.map((c) => c.name).join(", ")})
       SELECT ${t.columns.map((c) => `r.${c.name}`).join(", ")}
         FROM undo_restore u, json_populate_record(NULL::${t.name}, u.image) r
        WHERE u.table_name = $1 AND u.image IS NOT NULL
       ON CONFLICT (${keyList(t)}) DO UPDATE SET ${excludedSet(t)}`,
      [t.name],
    );
    restored += result.rowCount ?? 0;
  }

  // 3. Rollups follow the treatments.
  if (ids.length > 0) {
    const after = await treatmentsAt(client, ids);
    const deltas = createRollupDeltas();
    for (const id of ids)
      addTreatmentDelta(deltas, before.get(BigInt(id)) ?? null, after.get(BigInt(id)) ?? null);
    await runWriteSteps(client, rollupSteps(deltas));
  }

  // 4. Bookkeeping above the ancestor.
  await client.query("DELETE FROM undo_log WHERE block_number > $1", [a]);
  await client.query("DELETE FROM chain_block WHERE number > $1", [a]);
  await client.query("DROP TABLE undo_restore");
  return { deleted, restored };
}
