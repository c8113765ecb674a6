/**
 * Datasets as the API describes them (analytics_dataset). A dataset is visible to the analyst who
 * created it only; anyone else is told it does not exist.
 */
import type { Pool } from "pg";
import { AGE_LEVEL_NAMES, PERIOD_LEVEL_NAMES, REGION_LEVEL_NAMES, SEX_LEVEL_NAMES } from "./hierarchies.ts";
import type { DatasetParams } from "./params.ts";

export interface DatasetDescription {
  id: string;
  createdAt: Date;
  definition: DatasetParams;
  snapshotBlock: string | null;
  k: number;
  achievedK: number | null;
  minClassRows: number | null;
  minDistinctDiagnoses: number | null;
  generalization: { age: string; sex: string; region: string; period: string };
  candidateRows: number;
  rowCount: number;
  suppressedRows: number;
  classes: number;
  informationLoss: number;
  quasiIdentifiers: string[];
  sensitiveAttributes: string[];
  method: string;
  exportPath: string;
}

export const DATASET_METHOD =
  "k-anonymity over the quasi-identifiers age band, sex, region and period: full-domain generalization (age 5->10->20 years->*, " +
  "sex->*, region district->state->national, period week->month->quarter->year->range; districts under 20,000 people start " +
  "at state) chosen by an exhaustive search of the generalization lattice for the least information loss (Iyengar's loss " +
  "metric, a suppressed row counting as fully generalized) within the suppression limit; then every class with fewer than k " +
  "rows or fewer than k distinct patients is suppressed. Diagnosis, stage, length of stay, vitals and attachments are " +
  "treated as sensitive attributes, not quasi-identifiers (minDistinctDiagnoses reports their diversity). No identifier, " +
  "treatment id, wallet address or exact date is released; pseudonyms are per dataset (HMAC-SHA256 under a key derived from " +
  "a server secret and the dataset id) and link a patient's rows within this dataset only.";

interface DatasetRecord {
  id: string;
  created_at: Date;
  params: DatasetParams;
  snapshot_block: string | null;
  k: number;
  levels: number[];
  candidate_rows: number;
  row_count: number;
  suppressed_rows: number;
  classes: number;
  achieved_k: number | null;
  min_class_rows: number | null;
  min_distinct_diagnoses: number | null;
  info_loss: number;
}

const SELECT = `SELECT id, created_at, params, snapshot_block::text AS snapshot_block, k, levels, candidate_rows, row_count,
  suppressed_rows, classes, achieved_k, min_class_rows, min_distinct_diagnoses, info_loss FROM analytics_dataset`;

export const exportPathOf = (id: string): string => `/export/datasets/${id}.ndjson`;

function describe(r: DatasetRecord): DatasetDescription {
  const [age = 0, sex = 0, region = 0, period = 0] = r.levels;
  return {
    id: r.id,
    createdAt: r.created_at,
    definition: r.params,
    snapshotBlock: r.snapshot_block,
    k: r.k,
    achievedK: r.achieved_k,
    minClassRows: r.min_class_rows,
    minDistinctDiagnoses: r.min_distinct_diagnoses,
    generalization: {
      age: AGE_LEVEL_NAMES[age] ?? "?",
      sex: SEX_LEVEL_NAMES[sex] ?? "?",
      region: REGION_LEVEL_NAMES[region] ?? "?",
      period: PERIOD_LEVEL_NAMES[period] ?? "?",
    },
    candidateRows: r.candidate_rows,
    rowCount: r.row_count,
    suppressedRows: r.suppressed_rows,
    classes: r.classes,
    informationLoss: r.info_loss,
    quasiIdentifiers: ["ageBand", "sex", "region", "period"],
    sensitiveAttributes: ["diagnosis", "stage", "lengthOfStayDays", "vitals", "verifiedAttachments"],
    method: DATASET_METHOD,
    exportPath: exportPathOf(r.id),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isDatasetId = (id: string): boolean => UUID.test(id);

/** The dataset if `owner` created it, else null. */
export async function findOwnDataset(
  pool: Pool,
  id: string,
  owner: string,
): Promise<DatasetDescription | null> {
  if (!isDatasetId(id)) return null;
  const { rows } = await pool.query<DatasetRecord>(`${SELECT} WHERE id = $1 AND created_by = $2`, [
    id,
    owner,
  ]);
  return rows[0] ? describe(rows[0]) : null;
}

/** The owner's datasets, newest first, keyset-paginated on (created_at, id). */
export async function listOwnDatasets(
  pool: Pool,
  owner: string,
  limit: number,
  after: { createdAt: string; id: string } | null,
): Promise<DatasetDescription[]> {
  const values: unknown[] = [owner, limit];
  let where = "created_by = $1";
  if (after) {
    values.push(after.createdAt, after.id);
    where += " AND (created_at, id) < ($3::timestamptz, $4::uuid)";
  }
  const { rows } = await pool.query<DatasetRecord>(
    `${SELECT} WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`,
    values,
  );
  return rows.map(describe);
}
