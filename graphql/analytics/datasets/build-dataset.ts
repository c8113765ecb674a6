/**
 * Builds a de-identified dataset inside one REPEATABLE READ transaction (every statement sees the
 * same indexed state, recorded as the snapshot block):
 *
 *  1. the candidate treatments (filters on the treatment table and its patient snapshot) into a
 *     temporary table, with their base quasi-identifiers;
 *  2. their histogram over the quasi-identifiers, read into Node (classes, not rows);
 *  3. the generalization search (lattice-search.ts) on that histogram;
 *  4. the generalized values of each base class, as a temporary mapping table;
 *  5. one INSERT ... SELECT that joins, drops every class with fewer than k rows or k distinct
 *     patients, adds vitals summaries and verified attachments, computes the pseudonyms
 *     (HMAC-SHA256 in SQL, pseudonym.ts) and numbers the rows;
 *  6. a check of the stored rows: every class has at least k distinct pseudonyms, or nothing is
 *     committed.
 * Rows never pass through Node, whatever the dataset's size.
 */
import type { Pool, PoolClient } from "pg";
import { NonRetryableError } from "../../../shared/errors.ts";
import { DISTRICTS } from "../../../shared/reference/regions.ts";
import { TableTooLargeError } from "../disclosure/cube.ts";
import { LIMITS } from "../limits.ts";
import { compileDiagnosisFilter } from "../selection/diagnosis.ts";
import { diagnosisPredicate } from "../selection/diagnosis-sql.ts";
import { compileRegionFilter, regionPredicate } from "../selection/region.ts";
import {
  ageAt,
  isReleasableDistrict,
  type Levels,
  periodAt,
  type QiClass,
  regionAt,
  sexAt,
} from "./hierarchies.ts";
import { lossOfRelease, searchLattice } from "./lattice-search.ts";
import { type DatasetParams, minLevelsOf } from "./params.ts";
import { deriveDatasetKey, PSEUDONYM_HEX_CHARS, sqlHmacHex, sqlHmacPads } from "./pseudonym.ts";

export interface DatasetSummary {
  readonly id: string;
  readonly snapshotBlock: string | null;
  readonly levels: Levels;
  readonly candidateRows: number;
  readonly rowCount: number;
  readonly suppressedRows: number;
  readonly classes: number;
  readonly achievedK: number | null;
  readonly minClassRows: number | null;
  readonly minDistinctDiagnoses: number | null;
  readonly infoLoss: number;
  readonly nodesEvaluated: number;
}

const RELEASABLE_DISTRICTS = DISTRICTS.filter((d) => isReleasableDistrict(d.code)).map((d) => d.code);
const IST_DAY = (column: string) => `((${column} AT TIME ZONE 'UTC') + interval '330 minutes')::date`;

async function createBase(client: PoolClient, p: DatasetParams): Promise<number> {
  const values: unknown[] = [p.from, p.to, RELEASABLE_DISTRICTS];
  // IST days [from, to] as instants: from 00:00 IST = the previous day 18:30 UTC.
  const where = [
    "t.opened_at >= ($1::date - interval '330 minutes') AT TIME ZONE 'UTC'",
    "t.opened_at < ($2::date + 1 - interval '330 minutes') AT TIME ZONE 'UTC'",
  ];
  const diagnosis = compileDiagnosisFilter(p.diagnosis);
  if (diagnosis) {
    where.push(
      diagnosisPredicate(
        diagnosis,
        { category: "t.diagnosis_category", chapter: "t.diagnosis_chapter", code: "t.diagnosis" },
        values,
      ),
    );
  }
  const region = compileRegionFilter(p.region);
  if (region) where.push(regionPredicate(region, "t.patient_state", "t.patient_district", values));
  const day = IST_DAY("t.opened_at");
  const anchor =
    p.periodGranularity === "WEEK"
      ? `date_trunc('week', ${day}::timestamp)::date + 3`
      : `date_trunc('month', ${day}::timestamp)::date`;
  await client.query(
    `CREATE TEMP TABLE ds_base ON COMMIT DROP AS
     SELECT t.id, t.patient_ref, t.patient_age_band AS age_band, t.patient_sex::text AS sex,
            t.patient_state AS state,
            CASE WHEN t.patient_district = ANY($3::smallint[]) THEN t.patient_district END AS district,
            (${anchor} - date '1970-01-01') AS anchor,
            ${p.diagnosisGranularity === "CODE" ? "t.diagnosis" : "t.diagnosis_category"} AS diagnosis,
            t.stage, t.opened_at, t.discharged_at
       FROM treatment t
      WHERE ${where.join(" AND ")}`,
    values,
  );
  const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM ds_base");
  return rows[0]?.n ?? 0;
}

async function histogram(client: PoolClient): Promise<QiClass[]> {
  const { rows } = await client.query<{
    age_band: string;
    sex: string;
    state: number;
    district: number | null;
    anchor: number;
    n: number;
  }>(
    `SELECT age_band, sex, state, district, anchor, count(*)::int AS n
       FROM ds_base GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
  );
  return rows.map((r) => ({
    ageBand: r.age_band,
    sex: r.sex,
    stateCode: r.state,
    districtCode: r.district,
    anchorDay: r.anchor,
    rows: r.n,
  }));
}

async function createMapping(client: PoolClient, classes: readonly QiClass[], levels: Levels): Promise<void> {
  const cols = {
    age: [] as string[],
    sex: [] as string[],
    state: [] as number[],
    district: [] as (number | null)[],
    anchor: [] as number[],
    gAge: [] as string[],
    gSex: [] as string[],
    gState: [] as (number | null)[],
    gDistrict: [] as (number | null)[],
    gPeriod: [] as string[],
  };
  for (const c of classes) {
    const region = regionAt(c, levels[2]);
    cols.age.push(c.ageBand);
    cols.sex.push(c.sex);
    cols.state.push(c.stateCode);
    cols.district.push(c.districtCode);
    cols.anchor.push(c.anchorDay);
    cols.gAge.push(ageAt(c.ageBand, levels[0]));
    cols.gSex.push(sexAt(c.sex, levels[1]));
    cols.gState.push(region.stateCode);
    cols.gDistrict.push(region.districtCode);
    cols.gPeriod.push(periodAt(c.anchorDay, levels[3]));
  }
  await client.query(
    `CREATE TEMP TABLE ds_map ON COMMIT DROP AS
     SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::smallint[], $5::int[],
                          $6::text[], $7::text[], $8::smallint[], $9::smallint[], $10::text[])
         AS m(age_band, sex, state, district, anchor, g_age, g_sex, g_state, g_district, g_period)`,
    [
      cols.age,
      cols.sex,
      cols.state,
      cols.district,
      cols.anchor,
      cols.gAge,
      cols.gSex,
      cols.gState,
      cols.gDistrict,
      cols.gPeriod,
    ],
  );
}

async function insertRows(client: PoolClient, id: string, k: number, key: Uint8Array): Promise<void> {
  const { ipad, opad } = sqlHmacPads(key);
  const opened = IST_DAY("k.opened_at");
  const discharged = IST_DAY("k.discharged_at");
  await client.query(
    `WITH j AS (
       SELECT b.*, m.g_age, m.g_sex, m.g_state, m.g_district, m.g_period
         FROM ds_base b
         JOIN ds_map m ON m.age_band = b.age_band AND m.sex = b.sex AND m.state = b.state
                      AND m.district IS NOT DISTINCT FROM b.district AND m.anchor = b.anchor
     ), classes AS (
       SELECT g_age, g_sex, g_state, g_district, g_period
         FROM j GROUP BY 1, 2, 3, 4, 5
       HAVING count(*) >= $2 AND count(DISTINCT patient_ref) >= $2
     ), kept AS (
       SELECT j.* FROM j JOIN classes c
           ON c.g_age = j.g_age AND c.g_sex = j.g_sex AND c.g_period = j.g_period
          AND c.g_state IS NOT DISTINCT FROM j.g_state AND c.g_district IS NOT DISTINCT FROM j.g_district
     ), vit AS (
       SELECT v.treatment_id, count(*)::int AS n, max(v.temperature_centi_c) AS max_temp, min(v.spo2_permille) AS min_spo2,
              round(avg(v.heart_rate_bpm)::numeric, 1)::float8 AS mean_hr, max(v.systolic_mmhg) AS max_sys,
              max(v.diastolic_mmhg) AS max_dia
         FROM vital v JOIN kept ON kept.id = v.treatment_id GROUP BY 1
     ), att AS (
       SELECT a.treatment_id, count(*)::int AS n
         FROM attachment a JOIN file_verification f ON f.cid = a.cid AND f.status = 'VERIFIED'
         JOIN kept ON kept.id = a.treatment_id GROUP BY 1
     ), pseudo AS (
       SELECT k.*, left(${sqlHmacHex("k.patient_ref", "$3", "$4")}, ${PSEUDONYM_HEX_CHARS}) AS pseudonym,
              ${sqlHmacHex("'row:' || k.id::text", "$3", "$4")} AS shuffle
         FROM kept k
     )
     INSERT INTO analytics_dataset_row (dataset_id, seq, pseudonym, age_band, sex, state_code, district_code, period,
       diagnosis, stage, length_of_stay_days, vitals_count, max_temperature_centi_c, min_spo2_permille,
       mean_heart_rate_bpm, max_systolic_mmhg, max_diastolic_mmhg, verified_attachments)
     SELECT $1::uuid, (row_number() OVER (ORDER BY k.pseudonym, k.g_period, k.shuffle))::int, k.pseudonym, k.g_age, k.g_sex,
            k.g_state, k.g_district, k.g_period, k.diagnosis, k.stage,
            CASE WHEN k.discharged_at IS NULL THEN NULL ELSE ${discharged} - ${opened} END,
            coalesce(vit.n, 0), vit.max_temp, vit.min_spo2, vit.mean_hr, vit.max_sys, vit.max_dia, coalesce(att.n, 0)
       FROM pseudo k
       LEFT JOIN vit ON vit.treatment_id = k.id
       LEFT JOIN att ON att.treatment_id = k.id`,
    [id, k, ipad, opad],
  );
}

interface StoredStats {
  rows: number;
  classes: number;
  min_rows: number | null;
  min_patients: number | null;
  min_diagnoses: number | null;
}

/** Reads back what was stored: the guarantee is checked on the released rows, not on the plan. */
async function storedStats(client: PoolClient, id: string): Promise<StoredStats> {
  const { rows } = await client.query<StoredStats>(
    `SELECT coalesce(sum(n), 0)::int AS rows, count(*)::int AS classes, min(n)::int AS min_rows,
            min(p)::int AS min_patients, min(dx)::int AS min_diagnoses
       FROM (SELECT count(*) AS n, count(DISTINCT pseudonym) AS p, count(DISTINCT diagnosis) AS dx
               FROM analytics_dataset_row WHERE dataset_id = $1
              GROUP BY age_band, sex, state_code, district_code, period) s`,
    [id],
  );
  return rows[0]!;
}

function generalizedKey(c: QiClass, levels: Levels): string {
  const region = regionAt(c, levels[2]);
  return [
    ageAt(c.ageBand, levels[0]),
    sexAt(c.sex, levels[1]),
    region.stateCode,
    region.districtCode,
    periodAt(c.anchorDay, levels[3]),
  ].join("|");
}

async function releasedClassKeys(client: PoolClient, id: string): Promise<Set<string>> {
  const { rows } = await client.query<{
    a: string;
    s: string;
    st: number | null;
    d: number | null;
    p: string;
  }>(
    `SELECT DISTINCT age_band AS a, sex AS s, state_code AS st, district_code AS d, period AS p
       FROM analytics_dataset_row WHERE dataset_id = $1`,
    [id],
  );
  return new Set(rows.map((r) => [r.a, r.s, r.st, r.d, r.p].join("|")));
}

export interface BuildArgs {
  readonly id: string;
  readonly params: DatasetParams;
  readonly secret: Uint8Array;
  readonly createdBy: string;
}

export async function buildDataset(pool: Pool, args: BuildArgs): Promise<DatasetSummary> {
  const { id, params } = args;
  const client = await pool.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    const snapshot = await client.query<{ b: string }>(
      "SELECT indexed_block::text AS b FROM indexer_state LIMIT 1",
    );
    const candidateRows = await createBase(client, params);
    if (candidateRows > LIMITS.maxDatasetRows) {
      throw new TableTooLargeError(
        `the dataset would have ${candidateRows} rows; at most ${LIMITS.maxDatasetRows}: narrow the dates, diagnoses or regions`,
      );
    }
    const classes = await histogram(client);
    const rangeDays = Math.round((Date.parse(params.to) - Date.parse(params.from)) / 86_400_000) + 1;
    const search = searchLattice({
      classes,
      k: params.k,
      maxSuppressedRows: Math.floor((candidateRows * params.maxSuppressionPercent) / 100),
      minLevels: minLevelsOf(params),
      rangeDays,
    });
    const levels = search.best.levels;
    await createMapping(client, classes, levels);
    await client.query(
      `INSERT INTO analytics_dataset (id, created_by, params, snapshot_block, k, levels, candidate_rows, row_count,
         suppressed_rows, classes, info_loss)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6::int[], $7, 0, 0, 0, 0)`,
      [
        id,
        args.createdBy,
        JSON.stringify(params),
        snapshot.rows[0]?.b ?? null,
        params.k,
        levels,
        candidateRows,
      ],
    );
    await insertRows(client, id, params.k, deriveDatasetKey(args.secret, id));
    const stats = await storedStats(client, id);
    if (stats.min_patients !== null && stats.min_patients < params.k) {
      throw new NonRetryableError(
        "INTERNAL",
        `dataset ${id} has a class of ${stats.min_patients} patients, below k=${params.k}`,
      );
    }
    const suppressedRows = candidateRows - stats.rows;
    const released = await releasedClassKeys(client, id);
    const infoLoss = lossOfRelease(classes, levels, rangeDays, (i) =>
      released.has(generalizedKey(classes[i]!, levels)),
    );
    await client.query(
      `UPDATE analytics_dataset SET row_count = $2, suppressed_rows = $3, classes = $4, achieved_k = $5,
              min_class_rows = $6, min_distinct_diagnoses = $7, info_loss = $8 WHERE id = $1`,
      [
        id,
        stats.rows,
        suppressedRows,
        stats.classes,
        stats.min_patients,
        stats.min_rows,
        stats.min_diagnoses,
        infoLoss,
      ],
    );
    await client.query("COMMIT");
    return {
      id,
      snapshotBlock: snapshot.rows[0]?.b ?? null,
      levels,
      candidateRows,
      rowCount: stats.rows,
      suppressedRows,
      classes: stats.classes,
      achievedK: stats.min_patients,
      minClassRows: stats.min_rows,
      minDistinctDiagnoses: stats.min_diagnoses,
      infoLoss,
      nodesEvaluated: search.nodesEvaluated,
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
