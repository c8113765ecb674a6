/**
 * Released rows, as stored (dataset_release_row) and as served (GraphQL and NDJSON use the same
 * shape). A dataset's rows are the release's rows of its classes: contiguous seq ranges, read in
 * keyset order of `seq` (class by class, in the cutter's keyed shuffle within each class).
 */
import type { Pool, PoolClient } from "pg";
import { getDistrict, getState } from "../../../shared/reference/regions.ts";

export interface StoredRow {
  seq: number;
  pseudonym: string;
  age_band: string;
  sex: string;
  state_code: number | null;
  district_code: number | null;
  period: string;
  diagnosis: string | null;
  diagnosis_level: string;
  stage: string;
  length_of_stay_days: number | null;
  vitals_count: number;
  max_temperature_centi_c: number | null;
  min_spo2_permille: number | null;
  mean_heart_rate_bpm: number | null;
  max_systolic_mmhg: number | null;
  max_diastolic_mmhg: number | null;
  verified_attachments: number;
}

export interface DatasetRow {
  pseudonym: string;
  ageBand: string;
  sex: string;
  region: {
    level: "DISTRICT" | "STATE" | "NATIONAL";
    stateCode: number | null;
    stateName: string | null;
    districtCode: number | null;
    districtName: string | null;
  };
  period: string;
  diagnosis: string | null;
  diagnosisLevel: string;
  stage: string;
  lengthOfStayDays: number | null;
  vitals: {
    count: number;
    maxTemperatureC: number | null;
    minSpo2Percent: number | null;
    meanHeartRateBpm: number | null;
    maxSystolicMmHg: number | null;
    maxDiastolicMmHg: number | null;
  };
  verifiedAttachments: number;
}

const COLUMNS = `seq, pseudonym, age_band, sex, state_code, district_code, period, diagnosis, diagnosis_level,
  stage::text AS stage,
  length_of_stay_days, vitals_count, max_temperature_centi_c, min_spo2_permille, mean_heart_rate_bpm,
  max_systolic_mmhg, max_diastolic_mmhg, verified_attachments`;

/** A generalized region as the API shows it: its level, codes and names. */
export function regionOf(stateCode: number | null, districtCode: number | null): DatasetRow["region"] {
  return {
    level: districtCode !== null ? "DISTRICT" : stateCode !== null ? "STATE" : "NATIONAL",
    stateCode,
    stateName: stateCode === null ? null : (getState(stateCode)?.name ?? null),
    districtCode,
    districtName: districtCode === null ? null : (getDistrict(districtCode)?.name ?? null),
  };
}

export function toDatasetRow(r: StoredRow): DatasetRow {
  return {
    pseudonym: r.pseudonym,
    ageBand: r.age_band,
    sex: r.sex,
    region: regionOf(r.state_code, r.district_code),
    period: r.period,
    diagnosis: r.diagnosis,
    diagnosisLevel: r.diagnosis_level,
    stage: r.stage,
    lengthOfStayDays: r.length_of_stay_days,
    vitals: {
      count: r.vitals_count,
      maxTemperatureC: r.max_temperature_centi_c === null ? null : r.max_temperature_centi_c / 100,
      minSpo2Percent: r.min_spo2_permille === null ? null : r.min_spo2_permille / 10,
      meanHeartRateBpm: r.mean_heart_rate_bpm,
      maxSystolicMmHg: r.max_systolic_mmhg,
      maxDiastolicMmHg: r.max_diastolic_mmhg,
    },
    verifiedAttachments: r.verified_attachments,
  };
}

/**
 * Up to `limit` rows of the seq ranges with seq > afterSeq, in order: range by range, each an
 * ordered scan of the primary key that stops at the limit.
 */
export async function readRowsAfter(
  db: Pool | PoolClient,
  releaseId: string,
  ranges: readonly (readonly [number, number])[],
  afterSeq: number,
  limit: number,
): Promise<StoredRow[]> {
  const out: StoredRow[] = [];
  for (const [lo, hi] of ranges) {
    if (hi <= afterSeq) continue;
    const { rows } = await db.query<StoredRow>(
      `SELECT ${COLUMNS} FROM dataset_release_row
        WHERE release_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq LIMIT $4`,
      [releaseId, Math.max(lo, afterSeq + 1), hi, limit - out.length],
    );
    out.push(...rows);
    if (out.length >= limit) break;
  }
  return out;
}
