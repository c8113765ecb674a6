/**
 * Released dataset rows, as stored (analytics_dataset_row) and as served (GraphQL and NDJSON use
 * the same shape). Read in keyset order of `seq`, which the builder assigned in pseudonym order.
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

const COLUMNS = `seq, pseudonym, age_band, sex, state_code, district_code, period, diagnosis, stage::text AS stage,
  length_of_stay_days, vitals_count, max_temperature_centi_c, min_spo2_permille, mean_heart_rate_bpm,
  max_systolic_mmhg, max_diastolic_mmhg, verified_attachments`;

export function toDatasetRow(r: StoredRow): DatasetRow {
  return {
    pseudonym: r.pseudonym,
    ageBand: r.age_band,
    sex: r.sex,
    region: {
      level: r.district_code !== null ? "DISTRICT" : r.state_code !== null ? "STATE" : "NATIONAL",
      stateCode: r.state_code,
      stateName: r.state_code === null ? null : (getState(r.state_code)?.name ?? null),
      districtCode: r.district_code,
      districtName: r.district_code === null ? null : (getDistrict(r.district_code)?.name ?? null),
    },
    period: r.period,
    diagnosis: r.diagnosis,
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

/** Up to `limit` rows with seq > afterSeq, in order. */
export async function readRowsAfter(
  db: Pool | PoolClient,
  datasetId: string,
  afterSeq: number,
  limit: number,
): Promise<StoredRow[]> {
  const { rows } = await db.query<StoredRow>(
    `SELECT ${COLUMNS} FROM analytics_dataset_row WHERE dataset_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [datasetId, afterSeq, limit],
  );
  return rows;
}
