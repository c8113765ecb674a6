/**
 * Cuts one release: the treatments opened in a closed period, anonymized once, inside the caller's
 * REPEATABLE READ transaction (every statement sees the same indexed state, recorded as the
 * snapshot block). Rows pass through Node only as small integers (patient number, class, value).
 *
 *  1. the candidate treatments into a temporary table, with their base quasi-identifiers;
 *  2. their histogram over quasi-identifiers and diagnosis (classes, not rows), into Node;
 *  3. the generalization search (lattice-search.ts) on that histogram;
 *  4. the class of each base combination, as a temporary mapping table;
 *  5. the release rules on distinct patients, in SQL: each (class, category) group kept with at
 *     least k patients, else pooled by chapter and kept with at least k, else suppressed; then the
 *     groups an audit of everything already published withholds (`audit`, see GroupAudit); then
 *     each class kept with at least k patients and l distinct values;
 *  6. which patients' rows may share a pseudonym (linkage.ts), in Node;
 *  7. the pseudonyms (HMAC-SHA256 in SQL, pseudonym.ts), a keyed shuffle within each class, and a
 *     check of every rule on exactly the rows about to be stored (linkage.ts); any violation
 *     aborts the cut;
 *  8. the release, its classes and its rows, in one go (the tables are append-only).
 *
 * Only a rounded count of what was suppressed is stored; the number of candidates is not stored.
 */
import { randomUUID } from "node:crypto";
import type { PoolClient } from "pg";
import { NonRetryableError } from "../../../shared/errors.ts";
import { ICD10_CHAPTERS } from "../../../shared/reference/icd10.ts";
import { DISTRICTS } from "../../../shared/reference/regions.ts";
import {
  ageAt,
  ageLoss,
  isReleasableDistrict,
  type Levels,
  periodAt,
  periodLoss,
  type QiClass,
  regionAt,
  regionLoss,
  sexAt,
  sexLoss,
} from "./hierarchies.ts";
import { searchLattice } from "./lattice-search.ts";
import { patientsToUnlink, type ReleasedRow, releaseRuleViolations } from "./linkage.ts";
import { dayString, periodDays, type ReleasePeriod } from "./periods.ts";
import { deriveReleaseKey, PSEUDONYM_HEX_CHARS, sqlHmacHex, sqlHmacPads } from "./pseudonym.ts";
import { MAX_SUPPRESSED_SHARE, RELEASE_K, RELEASE_L, ROUNDING_BASE, roundCount } from "./release-policy.ts";

export interface ReleaseSnapshot {
  readonly indexedBlock: string;
  readonly indexedBlockHash: string;
  readonly finalizedBlock: string;
}

/** The generalized quasi-identifier values of a release class. */
export interface ClassValues {
  readonly ageBand: string;
  readonly sex: string;
  readonly stateCode: number | null;
  readonly districtCode: number | null;
  /** "2026-W05", "2026-02" or "*" (the release's weeks). */
  readonly period: string;
}

/** A (class, diagnosis) group of a release: the count of cases the release will show for it. */
export interface ReleaseGroup extends ClassValues {
  /** "<class key>/<value>": what an audit returns to withhold the group. */
  readonly key: string;
  /** ICD-10 category, chapter range ("A00-B99"), or null (no diagnosis). */
  readonly diagnosis: string | null;
  readonly diagnosisLevel: "CATEGORY" | "CHAPTER" | "NONE";
  /** Treatments in the group. */
  readonly rows: number;
}

/**
 * Decides which groups a release must not show because, together with what is already published
 * (the public-health publications of the same weeks), they would narrow a suppressed cell. The
 * release drops those rows and applies its class rules after. Without one, nothing is withheld.
 */
export type GroupAudit = (
  groups: readonly ReleaseGroup[],
  period: ReleasePeriod,
) => Promise<ReadonlySet<string>>;

export interface CutReleaseArgs {
  readonly period: ReleasePeriod;
  readonly snapshot: ReleaseSnapshot;
  readonly secret: Uint8Array;
  /** Defaults to a random UUID; the pseudonym key derives from it. */
  readonly id?: string;
  readonly audit?: GroupAudit;
}

export interface ReleaseSummary {
  readonly id: string;
  readonly period: string;
  readonly levels: Levels;
  readonly rowCount: number;
  readonly classCount: number;
  readonly suppressedRowsRounded: number;
  readonly nodesEvaluated: number;
}

const RELEASABLE_DISTRICTS = DISTRICTS.filter((d) => isReleasableDistrict(d.code)).map((d) => d.code);
const IST_DAY = (column: string) => `((${column} AT TIME ZONE 'UTC') + interval '330 minutes')::date`;

async function createBase(client: PoolClient, period: ReleasePeriod): Promise<number> {
  const day = IST_DAY("t.opened_at");
  // IST days [start, end] as instants: start 00:00 IST is the previous day 18:30 UTC.
  await client.query(
    `CREATE TEMP TABLE rc_base ON COMMIT DROP AS
     SELECT t.id, t.patient_ref, t.patient_age_band AS age_band, t.patient_sex::text AS sex,
            t.patient_state AS state,
            CASE WHEN t.patient_district = ANY($3::smallint[]) THEN t.patient_district END AS district,
            ((${day} - date '1970-01-01') - (((${day} - date '1970-01-01') + 3) % 7) + 3) AS anchor,
            t.diagnosis_category AS category,
            CASE WHEN t.diagnosis_category IS NULL THEN 0 ELSE coalesce(t.diagnosis_chapter, 0) END AS chapter,
            t.stage, t.opened_at, t.discharged_at
       FROM treatment t
      WHERE t.opened_at >= ($1::date - interval '330 minutes') AT TIME ZONE 'UTC'
        AND t.opened_at < ($2::date + 1 - interval '330 minutes') AT TIME ZONE 'UTC'`,
    [dayString(period.start), dayString(period.end), RELEASABLE_DISTRICTS],
  );
  const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM rc_base");
  return rows[0]?.n ?? 0;
}

async function histogram(client: PoolClient): Promise<QiClass[]> {
  const { rows } = await client.query<{
    age_band: string;
    sex: string;
    state: number;
    district: number | null;
    anchor: number;
    category: string | null;
    chapter: number;
    n: number;
  }>(
    `SELECT age_band, sex, state, district, anchor, category, chapter, count(*)::int AS n
       FROM rc_base GROUP BY 1, 2, 3, 4, 5, 6, 7`,
  );
  return rows.map((r) => ({
    ageBand: r.age_band,
    sex: r.sex,
    stateCode: r.state,
    districtCode: r.district,
    anchorDay: r.anchor,
    diagnosis: r.category ?? "",
    chapter: r.chapter,
    rows: r.n,
  }));
}

/** A release class: its values and loss, the same for every base combination in it. */
interface ReleaseClass extends ClassValues {
  readonly key: string;
  readonly loss: number;
}

function classOf(c: QiClass, levels: Levels, releaseDays: number): ReleaseClass {
  const region = regionAt(c, levels[2]);
  const values = {
    ageBand: ageAt(c.ageBand, levels[0]),
    sex: sexAt(c.sex, levels[1]),
    stateCode: region.stateCode,
    districtCode: region.districtCode,
    period: periodAt(c.anchorDay, levels[3]),
  };
  const loss =
    (ageLoss(c.ageBand, levels[0]) +
      sexLoss(levels[1]) +
      regionLoss(c, levels[2]) +
      periodLoss(c.anchorDay, levels[3], releaseDays)) /
    4;
  const key = [values.ageBand, values.sex, values.stateCode, values.districtCode, values.period].join("|");
  return { key, ...values, loss };
}

/** Display order of classes: age, sex, region, period. */
function compareClasses(a: ReleaseClass, b: ReleaseClass): number {
  const age = (band: string) => (band === "*" ? 1_000 : Number.parseInt(band, 10));
  return (
    age(a.ageBand) - age(b.ageBand) ||
    a.sex.localeCompare(b.sex) ||
    (a.stateCode ?? 1_000) - (b.stateCode ?? 1_000) ||
    (a.districtCode ?? 100_000) - (b.districtCode ?? 100_000) ||
    a.period.localeCompare(b.period)
  );
}

async function createMapping(
  client: PoolClient,
  entries: readonly QiClass[],
  levels: Levels,
  releaseDays: number,
): Promise<Map<string, ReleaseClass>> {
  const classes = new Map<string, ReleaseClass>();
  const seen = new Set<string>();
  const cols = {
    age: [] as string[],
    sex: [] as string[],
    state: [] as number[],
    district: [] as (number | null)[],
    anchor: [] as number[],
    key: [] as string[],
  };
  for (const e of entries) {
    const base = [e.ageBand, e.sex, e.stateCode, e.districtCode, e.anchorDay].join("|");
    if (seen.has(base)) continue;
    seen.add(base);
    const c = classOf(e, levels, releaseDays);
    classes.set(c.key, c);
    cols.age.push(e.ageBand);
    cols.sex.push(e.sex);
    cols.state.push(e.stateCode);
    cols.district.push(e.districtCode);
    cols.anchor.push(e.anchorDay);
    cols.key.push(c.key);
  }
  await client.query(
    `CREATE TEMP TABLE rc_map ON COMMIT DROP AS
     SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::smallint[], $5::int[], $6::text[])
         AS m(age_band, sex, state, district, anchor, class_key)`,
    [cols.age, cols.sex, cols.state, cols.district, cols.anchor, cols.key],
  );
  return classes;
}

/** Step 5: the diagnosis value of each row the rules keep. */
async function applyRules(client: PoolClient): Promise<void> {
  const chapters = ICD10_CHAPTERS.map((c) => c.number);
  const labels = ICD10_CHAPTERS.map((c) => `${c.first}-${c.last}`);
  await client.query(
    `CREATE TEMP TABLE rc_rows ON COMMIT DROP AS
     SELECT b.*, m.class_key
       FROM rc_base b
       JOIN rc_map m ON m.age_band = b.age_band AND m.sex = b.sex AND m.state = b.state
                    AND m.district IS NOT DISTINCT FROM b.district AND m.anchor = b.anchor`,
  );
  await client.query(
    `CREATE TEMP TABLE rc_kept ON COMMIT DROP AS
     WITH category AS (
       SELECT class_key, category, count(DISTINCT patient_ref) AS patients
         FROM rc_rows GROUP BY class_key, category
     ), step1 AS (
       SELECT r.*, c.patients >= $1 AS category_kept
         FROM rc_rows r JOIN category c ON c.class_key = r.class_key AND c.category IS NOT DISTINCT FROM r.category
     ), pool AS (
       SELECT class_key, chapter, count(DISTINCT patient_ref) AS patients
         FROM step1 WHERE NOT category_kept AND chapter > 0 GROUP BY class_key, chapter
     ), valued AS (
       SELECT s.*,
              CASE WHEN s.category_kept THEN CASE WHEN s.category IS NULL THEN 'NONE' ELSE 'CATEGORY' END
                   WHEN p.patients >= $1 THEN 'CHAPTER' END AS level
         FROM step1 s
         LEFT JOIN pool p ON NOT s.category_kept AND p.class_key = s.class_key AND p.chapter = s.chapter
     )
     SELECT v.id, v.patient_ref, v.class_key, v.level, v.stage, v.opened_at, v.discharged_at,
            CASE v.level WHEN 'CATEGORY' THEN v.category WHEN 'CHAPTER' THEN ch.label END AS value
       FROM valued v
       LEFT JOIN unnest($2::int[], $3::text[]) AS ch(number, label) ON v.level = 'CHAPTER' AND ch.number = v.chapter
      WHERE v.level IS NOT NULL`,
    [RELEASE_K, chapters, labels],
  );
}

/** The groups the rules keep, as an audit sees them. */
async function keptGroups(
  client: PoolClient,
  classes: ReadonlyMap<string, ClassValues>,
): Promise<ReleaseGroup[]> {
  const { rows } = await client.query<{ class_key: string; value: string | null; level: string; n: number }>(
    "SELECT class_key, value, level, count(*)::int AS n FROM rc_kept GROUP BY class_key, value, level",
  );
  return rows.map((r) => {
    const { ageBand, sex, stateCode, districtCode, period } = classes.get(r.class_key)!;
    return {
      key: `${r.class_key}/${r.value ?? ""}`,
      ageBand,
      sex,
      stateCode,
      districtCode,
      period,
      diagnosis: r.value,
      diagnosisLevel: r.level as ReleaseGroup["diagnosisLevel"],
      rows: r.n,
    };
  });
}

/** Step 5, last part: the classes that hold with the groups left, and their patients numbered. */
async function keepClasses(client: PoolClient): Promise<void> {
  await client.query(
    `CREATE TEMP TABLE rc_class ON COMMIT DROP AS
     SELECT class_key FROM rc_kept GROUP BY class_key
     HAVING count(DISTINCT patient_ref) >= $1 AND count(DISTINCT coalesce(value, '')) >= $2`,
    [RELEASE_K, RELEASE_L],
  );
  await client.query(
    `CREATE TEMP TABLE rc_patient ON COMMIT DROP AS
     SELECT patient_ref, (row_number() OVER (ORDER BY patient_ref))::int AS p
       FROM (SELECT DISTINCT patient_ref FROM rc_kept JOIN rc_class USING (class_key)) d`,
  );
}

/** Dense ids of strings, in order of first sight. */
function denseIds(): (value: string) => number {
  const ids = new Map<string, number>();
  return (value) => {
    let id = ids.get(value);
    if (id === undefined) {
      id = ids.size;
      ids.set(value, id);
    }
    return id;
  };
}

/** The rows that will be released, as (patient number, class number, value id). */
async function keptLinkRows(
  client: PoolClient,
  classNo: ReadonlyMap<string, number>,
): Promise<{ patient: number; classNo: number; value: number }[]> {
  const { rows } = await client.query<[number, string, string]>({
    text: `SELECT pp.p, k.class_key, coalesce(k.value, '')
             FROM rc_kept k JOIN rc_class USING (class_key) JOIN rc_patient pp USING (patient_ref)`,
    rowMode: "array",
  });
  const valueId = denseIds();
  return rows.map(([patient, key, value]) => ({
    patient,
    classNo: classNo.get(key)!,
    value: valueId(value),
  }));
}

/** Step 7: pseudonyms and sequence numbers of the rows to release. */
async function createOutput(
  client: PoolClient,
  classNo: ReadonlyMap<string, number>,
  unlinked: readonly number[],
  key: Uint8Array,
): Promise<void> {
  const { ipad, opad } = sqlHmacPads(key);
  const keys = [...classNo.keys()];
  await client.query(
    `CREATE TEMP TABLE rc_out ON COMMIT DROP AS
     WITH numbered AS (SELECT * FROM unnest($1::text[], $2::int[]) AS n(class_key, class_no)),
     unlinked AS (SELECT * FROM unnest($3::int[]) AS u(p)),
     named AS (
       SELECT k.*, n.class_no, pp.p,
              left(CASE WHEN u.p IS NULL THEN ${sqlHmacHex("'patient:' || k.patient_ref", "$4", "$5")}
                        ELSE ${sqlHmacHex("'treatment:' || k.id::text", "$4", "$5")} END, ${PSEUDONYM_HEX_CHARS}) AS pseudonym,
              ${sqlHmacHex("'order:' || k.id::text", "$4", "$5")} AS shuffle
         FROM rc_kept k
         JOIN numbered n USING (class_key)
         JOIN rc_patient pp USING (patient_ref)
         LEFT JOIN unlinked u ON u.p = pp.p
     )
     SELECT named.*, (row_number() OVER (ORDER BY class_no, pseudonym, shuffle))::int AS seq FROM named`,
    [keys, keys.map((k) => classNo.get(k)!), unlinked, ipad, opad],
  );
}

async function releasedRows(client: PoolClient): Promise<ReleasedRow[]> {
  const { rows } = await client.query<[number, number, string, string]>({
    text: "SELECT p, class_no, coalesce(value, ''), pseudonym FROM rc_out",
    rowMode: "array",
  });
  const valueId = denseIds();
  return rows.map(([patient, classNo, value, pseudonym]) => ({
    patient,
    classNo,
    value: valueId(value),
    pseudonym,
  }));
}

async function insertRelease(
  client: PoolClient,
  args: CutReleaseArgs & { id: string },
  levels: Levels,
  candidateRows: number,
  classes: readonly (ReleaseClass & { no: number })[],
): Promise<{ rowCount: number; classCount: number; suppressedRowsRounded: number }> {
  const { rows: stats } = await client.query<{ rows: number; chapter_rows: number }>(
    "SELECT count(*)::int AS rows, (count(*) FILTER (WHERE level = 'CHAPTER'))::int AS chapter_rows FROM rc_out",
  );
  const { rows: perClass } = await client.query<{
    class_no: number;
    first_seq: number;
    n: number;
    n_values: number;
  }>(
    `SELECT class_no, min(seq)::int AS first_seq, count(*)::int AS n, count(DISTINCT coalesce(value, ''))::int AS n_values
       FROM rc_out GROUP BY class_no ORDER BY class_no`,
  );
  const byNo = new Map(classes.map((c) => [c.no, c]));
  const rowCount = stats[0]?.rows ?? 0;
  let lossSum = 0;
  for (const c of perClass) lossSum += c.n * byNo.get(c.class_no)!.loss;
  const suppressedRowsRounded = roundCount(candidateRows - rowCount);
  const { period, snapshot } = args;
  await client.query(
    `INSERT INTO dataset_release (id, period_kind, period, period_start, period_end, snapshot_block, snapshot_hash,
       finalized_block, k, l, levels, row_count, class_count, chapter_rows, suppressed_rows_rounded, rounding_base,
       info_loss)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::int[], $12, $13, $14, $15, $16, $17)`,
    [
      args.id,
      period.kind,
      period.label,
      dayString(period.start),
      dayString(period.end),
      snapshot.indexedBlock,
      snapshot.indexedBlockHash,
      snapshot.finalizedBlock,
      RELEASE_K,
      RELEASE_L,
      levels,
      rowCount,
      perClass.length,
      stats[0]?.chapter_rows ?? 0,
      suppressedRowsRounded,
      ROUNDING_BASE,
      rowCount === 0 ? 0 : lossSum / rowCount,
    ],
  );
  const col = <T>(f: (c: (typeof perClass)[number], v: ReleaseClass) => T) =>
    perClass.map((c) => f(c, byNo.get(c.class_no)!));
  await client.query(
    `INSERT INTO dataset_release_class (release_id, class_no, age_band, sex, state_code, district_code, period,
       first_seq, rows, diagnoses, info_loss)
     SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::smallint[], $6::smallint[], $7::text[],
                              $8::int[], $9::int[], $10::int[], $11::float8[])`,
    [
      args.id,
      col((c) => c.class_no),
      col((_, v) => v.ageBand),
      col((_, v) => v.sex),
      col((_, v) => v.stateCode),
      col((_, v) => v.districtCode),
      col((_, v) => v.period),
      col((c) => c.first_seq),
      col((c) => c.n),
      col((c) => c.n_values),
      col((_, v) => v.loss),
    ],
  );
  const opened = IST_DAY("o.opened_at");
  const discharged = IST_DAY("o.discharged_at");
  await client.query(
    `WITH vit AS (
       SELECT v.treatment_id, count(*)::int AS n, max(v.temperature_centi_c) AS max_temp, min(v.spo2_permille) AS min_spo2,
              round(avg(v.heart_rate_bpm)::numeric, 1)::float8 AS mean_hr, max(v.systolic_mmhg) AS max_sys,
              max(v.diastolic_mmhg) AS max_dia
         FROM vital v JOIN rc_out o ON o.id = v.treatment_id GROUP BY 1
     ), att AS (
       SELECT a.treatment_id, count(*)::int AS n
         FROM attachment a JOIN file_verification f ON f.cid = a.cid AND f.status = 'VERIFIED'
         JOIN rc_out o ON o.id = a.treatment_id GROUP BY 1
     )
     INSERT INTO dataset_release_row (release_id, seq, class_no, pseudonym, age_band, sex, state_code, district_code,
       period, diagnosis, diagnosis_level, stage, length_of_stay_days, vitals_count, max_temperature_centi_c,
       min_spo2_permille, mean_heart_rate_bpm, max_systolic_mmhg, max_diastolic_mmhg, verified_attachments)
     SELECT $1, o.seq, o.class_no, o.pseudonym, c.age_band, c.sex, c.state_code, c.district_code, c.period,
            o.value, o.level, o.stage,
            CASE WHEN o.discharged_at IS NULL THEN NULL ELSE ${discharged} - ${opened} END,
            coalesce(vit.n, 0), vit.max_temp, vit.min_spo2, vit.mean_hr, vit.max_sys, vit.max_dia, coalesce(att.n, 0)
       FROM rc_out o
       JOIN dataset_release_class c ON c.release_id = $1 AND c.class_no = o.class_no
       LEFT JOIN vit ON vit.treatment_id = o.id
       LEFT JOIN att ON att.treatment_id = o.id`,
    [args.id],
  );
  return { rowCount, classCount: perClass.length, suppressedRowsRounded };
}

export async function cutRelease(client: PoolClient, args: CutReleaseArgs): Promise<ReleaseSummary> {
  const id = args.id ?? randomUUID();
  const releaseDays = periodDays(args.period);
  const candidateRows = await createBase(client, args.period);
  const entries = await histogram(client);
  const search = searchLattice({
    classes: entries,
    k: RELEASE_K,
    l: RELEASE_L,
    maxSuppressedRows: Math.floor(candidateRows * MAX_SUPPRESSED_SHARE),
    releaseDays,
  });
  const levels = search.best.levels;
  const classes = await createMapping(client, entries, levels, releaseDays);
  await applyRules(client);
  if (args.audit) {
    const withheld = await args.audit(await keptGroups(client, classes), args.period);
    if (withheld.size > 0) {
      await client.query(
        "DELETE FROM rc_kept WHERE class_key || '/' || coalesce(value, '') = ANY($1::text[])",
        [[...withheld]],
      );
    }
  }
  await keepClasses(client);

  const { rows: kept } = await client.query<{ class_key: string }>("SELECT class_key FROM rc_class");
  const numbered = kept
    .map((r) => classes.get(r.class_key)!)
    .sort(compareClasses)
    .map((c, i) => ({ ...c, no: i + 1 }));
  const classNo = new Map(numbered.map((c) => [c.key, c.no]));

  const limits = { k: RELEASE_K, l: RELEASE_L };
  const unlinked = patientsToUnlink(await keptLinkRows(client, classNo), limits);
  await createOutput(client, classNo, [...unlinked], deriveReleaseKey(args.secret, id));
  const violations = releaseRuleViolations(await releasedRows(client), limits);
  if (violations.length > 0) {
    throw new NonRetryableError(
      "INTERNAL",
      `release ${args.period.label} breaks its rules; nothing was cut`,
      {
        details: { violations: violations.slice(0, 20) },
      },
    );
  }
  const stored = await insertRelease(client, { ...args, id }, levels, candidateRows, numbered);
  return {
    id,
    period: args.period.label,
    levels,
    rowCount: stored.rowCount,
    classCount: stored.classCount,
    suppressedRowsRounded: stored.suppressedRowsRounded,
    nodesEvaluated: search.nodesEvaluated,
  };
}
