/**
 * Synthetic cases for the reporting views, written to the rollups exactly as the indexer writes
 * them (indexer/store/rollups.ts deltas, applied by write-batch.ts), and what the views must
 * release for them.
 */
import type { Pool, PoolClient } from "pg";
import { publishDue } from "../../graphql/analytics/publications/publish.ts";
import { addTreatmentDelta, createRollupDeltas } from "../../indexer/store/rollups.ts";
import type { SexLabel, TreatmentRow } from "../../indexer/store/rows.ts";
import { applyRollupDeltas } from "../../indexer/store/write-batch.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { DISTRICTS } from "../../shared/reference/regions.ts";

export const IST_OFFSET_SECONDS = 330 * 60;

/** One case: a treatment with a diagnosis, opened on an IST day (days since 1970-01-01). */
export interface Case {
  day: number;
  diagnosis: string;
  state: number;
  district: number;
  ageBand: string;
  sex: SexLabel;
}

/** The Monday (epoch day) of the ISO week holding an epoch day. */
export const mondayOf = (day: number): number => day - ((((day + 3) % 7) + 7) % 7);

export const dayString = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);

/** The current IST week's Monday as PostgreSQL sees it in this transaction (now() is fixed in one). */
export async function currentMonday(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ d: string }>(
    "SELECT date_trunc('week', now() AT TIME ZONE 'UTC' + interval '330 minutes')::date::text AS d",
  );
  return Date.parse(`${rows[0]!.d}T00:00:00Z`) / 86_400_000;
}

let nextId = 1n;

function treatment(c: Case): TreatmentRow {
  const openedAt = c.day * 86_400 + 12 * 3_600 - IST_OFFSET_SECONDS;
  const id = nextId++;
  return {
    id,
    patientRef: `0x${id.toString(16).padStart(64, "0")}`,
    hospitalId: 1,
    stage: "DIAGNOSED",
    diagnosis: c.diagnosis,
    diagnosisCategory: c.diagnosis.slice(0, 3),
    diagnosisChapter: 1,
    diagnosedBy: "0x0000000000000000000000000000000000000001",
    diagnosedAt: openedAt,
    openedBy: "0x0000000000000000000000000000000000000001",
    openedAt,
    openedBlock: 1n,
    dischargedAt: null,
    closedAt: null,
    updatedAt: openedAt,
    updatedBlock: 1n,
    patientSex: c.sex,
    patientAgeBand: c.ageBand,
    patientAgeYears: Number(/^\d+/.exec(c.ageBand)![0]),
    patientState: c.state,
    patientDistrict: c.district,
  };
}

/** Replaces the rollups' content with these cases, as the indexer would have counted them. */
export async function writeCases(client: PoolClient, cases: readonly Case[]): Promise<void> {
  await client.query("DELETE FROM case_count_daily");
  await client.query("DELETE FROM case_trend_weekly");
  const deltas = createRollupDeltas();
  for (const c of cases) addTreatmentDelta(deltas, null, treatment(c));
  await applyRollupDeltas(client, deltas);
}

/** Districts the views release by name (2011 population >= 20,000), a few per state. */
export function releasableDistricts(state: number, count: number): number[] {
  return DISTRICTS.filter((d) => d.stateCode === state && (d.population2011 ?? 0) >= 20_000)
    .slice(0, count)
    .map((d) => d.code);
}

/** A district the views pool (no 2011 population): [state, district]. */
export function pooledDistrict(): [number, number] {
  const d = DISTRICTS.find((x) => x.population2011 === null)!;
  return [d.stateCode, d.code];
}

export const AGE_BANDS_5Y = [
  "0-4",
  "5-9",
  "10-14",
  "15-19",
  "20-24",
  "25-29",
  "30-34",
  "35-39",
  "40-44",
  "45-49",
  "50-54",
  "55-59",
  "60-64",
  "65-69",
  "70-74",
  "75-79",
  "80-84",
  "85-89",
  "90+",
] as const;

export const SEXES: readonly SexLabel[] = ["FEMALE", "MALE", "OTHER", "UNKNOWN"];

/** A deterministic pseudo-random generator (mulberry32), for fixtures that look like real data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A season of cases over the `weeks` completed weeks before `monday`: several categories and
 * states, districts of very different sizes (and one pooled), ages and sexes skewed as real
 * admissions are, so that the views have released, primary and complementary cells.
 */
export function seasonOfCases(monday: number, weeks: number, seed = 7): Case[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[], weights: readonly number[]): T => {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = random() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i]!;
      if (r < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  };
  const [pooledState, pooled] = pooledDistrict();
  const places: [number, number][] = [
    ...releasableDistricts(27, 3).map((d): [number, number] => [27, d]),
    ...releasableDistricts(29, 2).map((d): [number, number] => [29, d]),
    ...releasableDistricts(32, 2).map((d): [number, number] => [32, d]),
    [pooledState, pooled],
    [pooledState, releasableDistricts(pooledState, 1)[0]!],
  ];
  const placeWeights = [30, 12, 3, 20, 6, 9, 2, 2, 8];
  const diagnoses = ["A09.0", "J18.9", "E11.9", "B50.9"];
  const diagnosisWeights = [40, 30, 20, 4];
  const cases: Case[] = [];
  for (let w = 1; w <= weeks; w++) {
    const n = 80 + Math.floor(random() * 120);
    for (let i = 0; i < n; i++) {
      const [state, district] = pick(places, placeWeights);
      cases.push({
        day: monday - 7 * w + Math.floor(random() * 7),
        diagnosis: pick(diagnoses, diagnosisWeights),
        state,
        district,
        ageBand: pick(AGE_BANDS_5Y, [4, 3, 3, 4, 6, 7, 7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 1, 1]),
        sex: pick(SEXES, [48, 48, 2, 2]),
      });
    }
  }
  return cases;
}

/**
 * Seeds a season of cases (committed) on `pool` and publishes every closed week on `publisher`, as
 * the API's publication job would (no lag): the reporting views read the publications only. Once
 * per database.
 */
export async function seedAndPublish(pool: Pool, weeks = 10, publisher: Pool = pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await writeCases(client, seasonOfCases(await currentMonday(client), weeks));
    await client.query("COMMIT");
  } finally {
    client.release();
  }
  const now = new Date();
  await publishDue({
    pool: publisher,
    settings: { system: "ISO", lagDays: 0 },
    logger: createSilentLogger(),
    now,
    indexed: now,
  });
}
