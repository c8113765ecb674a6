/**
 * Test fixtures for dataset releases: the chain's finality as the indexer records it, the cutter
 * run directly, and the ground truth behind released rows (which patient each row is), computed
 * from the server secret the way only the server could.
 */
import type pg from "pg";
import { cutDueReleases } from "../../graphql/analytics/datasets/cut-due-releases.ts";
import type { ReleasePeriodKind } from "../../graphql/analytics/datasets/periods.ts";
import { deriveReleaseKey, pseudonymOf, rowPseudonymOf } from "../../graphql/analytics/datasets/pseudonym.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { SECRET } from "./analytics-fixtures.ts";

/** Records that the chain is final up to `block`, whose time is `iso` (as the indexer would). */
export async function finalizeAt(pool: pg.Pool, iso: string, block = 1_000_000): Promise<void> {
  await pool.query(
    `INSERT INTO indexer_state (id, chain_id, contract_address, deploy_block, indexed_block, indexed_block_hash,
       finalized_block, head_block)
     VALUES (1, 31337, '0x0000000000000000000000000000000000000abc', 1, $1, '0xfeed', $1, $1)
     ON CONFLICT (id) DO UPDATE SET indexed_block = $1, finalized_block = $1, head_block = $1`,
    [block],
  );
  await pool.query(
    `INSERT INTO chain_block (number, hash, parent_hash, timestamp) VALUES ($1, '0xfeed', '0xbeef', $2)
     ON CONFLICT (number) DO UPDATE SET timestamp = $2`,
    [block, iso],
  );
}

export function cut(pool: pg.Pool, period: ReleasePeriodKind = "MONTH", lagDays = 0) {
  return cutDueReleases({
    pool,
    logger: createSilentLogger(),
    secret: SECRET,
    schedule: { period, lagDays },
  });
}

export interface TruthRow {
  seq: number;
  class_no: number;
  pseudonym: string;
  diagnosis: string | null;
  period: string;
  age_band: string;
  sex: string;
  state_code: number | null;
  district_code: number | null;
  length_of_stay_days: number | null;
  /** Ground truth: the treatment and its patient. */
  treatmentId: string;
  patientRef: string;
  /** Whether the pseudonym is the patient's (linked) or the treatment's own. */
  linked: boolean;
}

/** A release's stored rows, each with the treatment and patient it is. */
export async function rowsWithTruth(pool: pg.Pool, releaseId: string): Promise<TruthRow[]> {
  const key = deriveReleaseKey(SECRET, releaseId);
  const { rows: treatments } = await pool.query<{ id: string; patient_ref: string }>(
    "SELECT id::text, patient_ref FROM treatment",
  );
  const byPatient = new Map<string, string>();
  const byTreatment = new Map<string, { id: string; ref: string }>();
  for (const t of treatments) {
    byPatient.set(pseudonymOf(key, t.patient_ref), t.patient_ref);
    byTreatment.set(rowPseudonymOf(key, t.id), { id: t.id, ref: t.patient_ref });
  }
  const { rows } = await pool.query<Omit<TruthRow, "treatmentId" | "patientRef" | "linked">>(
    `SELECT seq, class_no, pseudonym, diagnosis, period, age_band, sex, state_code, district_code, length_of_stay_days
       FROM dataset_release_row WHERE release_id = $1 ORDER BY seq`,
    [releaseId],
  );
  return rows.map((r) => {
    const own = byTreatment.get(r.pseudonym);
    if (own) return { ...r, treatmentId: own.id, patientRef: own.ref, linked: false };
    const ref = byPatient.get(r.pseudonym);
    if (!ref) throw new Error(`released pseudonym ${r.pseudonym} is no patient's and no treatment's`);
    return { ...r, treatmentId: "?", patientRef: ref, linked: true };
  });
}
