/**
 * Vitals series (FHIR Observation): raw readings, averages per hour or day, or a downsampled
 * series (AUTO) of at most `limit` buckets over the readings' own span, for charts. Buckets are
 * aligned on Indian Standard Time (UTC+05:30), like every reporting day in DocTel. Series of many
 * treatments (or patients) come from one statement: `treatments { nodes { vitals } }` is not N+1.
 */
import { type ClinicalScope, treatmentVisibleSql } from "../auth/policy.ts";
import { keyParam } from "./key-param.ts";
import { VITAL_AVERAGES, VITAL_COLUMNS, type VitalRow } from "./rows.ts";
import { prepared, type Queryable } from "./sql.ts";

export type VitalsBucket = "RAW" | "HOUR" | "DAY" | "AUTO";

const IST_ORIGIN = "'1970-01-01T00:00:00+05:30'::timestamptz";
/**
 * AUTO's bucket widths (seconds), the smallest that fits the span in `limit` buckets: whole
 * minutes, hours and days, so buckets start at times a person reads easily.
 */
const AUTO_WIDTHS = [
  60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 2_592_000,
];

export interface VitalsQuery {
  from?: Date | undefined;
  to?: Date | undefined;
  bucket: VitalsBucket;
  /** Most rows (RAW) or buckets per key. */
  limit: number;
}

/**
 * Each key's series: `by` treatment (ids) or patient (references, through their visible
 * treatments: vital is indexed by treatment, the indexer's cheapest write). Zero readings are
 * "not measured" and left out of averages by the indexer's NULLs.
 */
export async function vitalsSeriesBatch(
  pool: Queryable,
  scope: ClinicalScope,
  by: "treatment" | "patient",
  keys: readonly string[],
  query: VitalsQuery,
): Promise<Map<string, VitalRow[]>> {
  const k = keyParam(keys, by === "treatment" ? "bigint" : "text");
  const params: unknown[] = [k.value];
  const where = [
    treatmentVisibleSql(scope, "t", params),
    `${by === "treatment" ? "t.id" : "t.patient_ref"} ${k.match}`,
  ];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (query.from !== undefined) add((n) => `v.measured_at >= ${n}`, query.from);
  if (query.to !== undefined) add((n) => `v.measured_at < ${n}`, query.to);
  params.push(query.limit);
  const limit = `$${params.length}::int`;
  const key = by === "treatment" ? "t.id::text" : "t.patient_ref::text";
  // No reading precedes its treatment's opening: earlier block-range partitions are pruned.
  const from = `vital v JOIN treatment t ON t.id = v.treatment_id AND v.block_number >= t.opened_block
    WHERE ${where.join(" AND ")}`;
  const readings = `SELECT ${key} AS key, v.* FROM ${from}`;
  let sql: string;
  if (query.bucket === "RAW") {
    sql = `SELECT * FROM (SELECT ${key} AS key, ${VITAL_COLUMNS},
                                 row_number() OVER (PARTITION BY ${key} ORDER BY v.measured_at, v.block_number, v.log_index) AS n
                            FROM ${from}) r
            WHERE n <= ${limit} ORDER BY key, n`;
  } else if (query.bucket === "AUTO") {
    // Per key: the readings' span, the smallest width that fits it in `limit` buckets (one may
    // straddle the IST-aligned grid, hence limit - 1), then the averages per bucket.
    sql = `WITH v AS (${readings}),
                span AS (SELECT key, extract(epoch FROM max(measured_at) - min(measured_at)) AS seconds FROM v GROUP BY key),
                width AS (SELECT key, coalesce(
                            (SELECT min(w) FROM unnest('{${AUTO_WIDTHS.join(",")}}'::int[]) AS w
                              WHERE w::float8 * greatest(${limit} - 1, 1) > span.seconds),
                            ceil(span.seconds / greatest(${limit} - 1, 1))::int + 1) AS seconds
                            FROM span)
           SELECT v.key, date_bin(make_interval(secs => width.seconds), v.measured_at, ${IST_ORIGIN}) AS time, ${VITAL_AVERAGES}
             FROM v JOIN width USING (key)
            GROUP BY v.key, 2 ORDER BY v.key, 2`;
  } else {
    const interval = query.bucket === "HOUR" ? "1 hour" : "1 day";
    sql = `SELECT * FROM (SELECT v.key, date_bin('${interval}', v.measured_at, ${IST_ORIGIN}) AS time, ${VITAL_AVERAGES},
                                 row_number() OVER (PARTITION BY v.key ORDER BY date_bin('${interval}', v.measured_at, ${IST_ORIGIN})) AS n
                            FROM (${readings}) v GROUP BY v.key, 2) b
            WHERE n <= ${limit} ORDER BY key, time`;
  }
  const { rows } = await prepared<VitalRow & { key: string; n?: unknown }>(pool, sql, params);
  const out = new Map<string, VitalRow[]>();
  for (const { key: k2, n: _n, ...row } of rows) {
    const list = out.get(k2);
    if (list) list.push(row);
    else out.set(k2, [row]);
  }
  return out;
}
