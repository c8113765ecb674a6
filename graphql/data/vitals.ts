/**
 * Vitals series (FHIR Observation): raw readings or bucketed averages. Buckets are aligned on
 * Indian Standard Time (UTC+05:30), like every reporting day in DocTel.
 */
import type { Pool } from "pg";
import { type ClinicalScope, treatmentVisibleSql } from "../auth/policy.ts";
import { VITAL_COLUMNS, type VitalRow } from "./rows.ts";
import { prepared } from "./sql.ts";

export type VitalsBucket = "RAW" | "HOUR" | "DAY";

const BUCKET_INTERVAL: Record<Exclude<VitalsBucket, "RAW">, string> = { HOUR: "1 hour", DAY: "1 day" };
const IST_ORIGIN = "1970-01-01T00:00:00+05:30";

export async function vitalsSeries(
  pool: Pool,
  scope: ClinicalScope,
  query: {
    patientRef?: string | undefined;
    treatmentId?: string | undefined;
    from?: Date | undefined;
    to?: Date | undefined;
    bucket: VitalsBucket;
    limit: number;
  },
): Promise<VitalRow[]> {
  const params: unknown[] = [];
  const where = [treatmentVisibleSql(scope, "t", params)];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  // Through the patient's treatments: vital is indexed by treatment, the indexer's cheapest write.
  if (query.patientRef !== undefined) add((n) => `t.patient_ref = ${n}`, query.patientRef);
  if (query.treatmentId !== undefined) add((n) => `v.treatment_id = ${n}::bigint`, query.treatmentId);
  if (query.from !== undefined) add((n) => `v.measured_at >= ${n}`, query.from);
  if (query.to !== undefined) add((n) => `v.measured_at < ${n}`, query.to);
  params.push(query.limit);
  const limit = `$${params.length}`;
  // No reading precedes its treatment's opening: earlier block-range partitions are pruned.
  const from = `vital v JOIN treatment t ON t.id = v.treatment_id AND v.block_number >= t.opened_block
    WHERE ${where.join(" AND ")}`;
  const sql =
    query.bucket === "RAW"
      ? `SELECT ${VITAL_COLUMNS}
           FROM ${from} ORDER BY v.measured_at, v.block_number, v.log_index LIMIT ${limit}`
      : `SELECT date_bin('${BUCKET_INTERVAL[query.bucket]}', v.measured_at, '${IST_ORIGIN}'::timestamptz) AS time,
                NULL AS "treatmentId", NULL AS recorder, NULL AS "blockNumber",
                avg(v.temperature_centi_c)::float8 AS "temperatureCentiC", avg(v.systolic_mmhg)::float8 AS "systolicMmHg",
                avg(v.diastolic_mmhg)::float8 AS "diastolicMmHg", avg(v.heart_rate_bpm)::float8 AS "heartRateBpm",
                avg(v.spo2_permille)::float8 AS "spo2Permille", count(*)::int AS count
           FROM ${from} GROUP BY 1 ORDER BY 1 LIMIT ${limit}`;
  const { rows } = await prepared<VitalRow & Record<string, unknown>>(pool, sql, params);
  return rows;
}
