/**
 * Targeted attacks on dataset releases, on crafted populations (written as the indexer writes
 * them) served by the real API over HTTP: the cases a random network rarely produces. Each month
 * of 2024 holds one scenario:
 *
 *   March    a patient with five admissions in one class (her row count would single her out);
 *   April    patients seen in two weeks: twelve alike, and one with a pair of weeks of her own;
 *   May      a class of men who all share one diagnosis (homogeneity);
 *   June     6 rows suppressed \  the same released population otherwise: the attacker must not
 *   July     13 rows suppressed /  tell the two apart (no exact count from before suppression);
 *   August   timing: a case opened in the period's last hour, the cut against finality, late
 *            events and a reorg after the cut;
 *   October  an audit against what is already published withholds a group (malaria).
 */
import type { Hex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { cutDueReleases } from "../../graphql/analytics/datasets/cut-due-releases.ts";
import type { GroupAudit } from "../../graphql/analytics/datasets/cut-release.ts";
import { RELEASE_K, RELEASE_L } from "../../graphql/analytics/datasets/release-policy.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { DEV_PRIVATE_KEYS } from "../../shared/services/chain.ts";
import {
  type CaseSpec,
  insertCases,
  insertHospitals,
  patientRef,
  SECRET,
} from "../graphql/analytics-fixtures.ts";
import { cut, finalizeAt, rowsWithTruth } from "../graphql/dataset-fixtures.ts";
import { useTestDatabase } from "../helpers/db.ts";
import {
  type AttackerApi,
  buildDataset,
  classKey,
  fetchReleases,
  fixtureDeployment,
  grantInDatabase,
  isRefused,
  type SeenDataset,
  type SeenRelease,
  type SeenRow,
  startAttackerApi,
} from "./datasets-harness.ts";

const db = useTestDatabase({ poolSize: 6 });
const ANALYST = DEV_PRIVATE_KEYS[8] as Hex;
const PUNE = { state: 27, district: 490 };
const DX = ["A90", "J10.1", "E11.9"] as const;

let api: AttackerApi;
let token: string;
let firstId = 1;

/** `n` patients from `from` on, one admission each on `day` (05:00 UTC), diagnoses in turn. */
function population(
  from: number,
  n: number,
  day: string,
  over: Partial<CaseSpec> = {},
  diagnoses: readonly string[] = DX,
): CaseSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    patient: from + i,
    sex: "FEMALE",
    birthDate: "1988-05-01",
    ...PUNE,
    openedAt: `${day}T05:00:00Z`,
    diagnosis: diagnoses[i % diagnoses.length]!,
    ...over,
  }));
}

async function write(cases: CaseSpec[]): Promise<void> {
  await insertCases(db.pool, cases, firstId);
  firstId += cases.length;
}

/** Singletons: one woman each in a district of her own, too few to release anywhere. */
const singletons = (from: number, n: number, day: string): CaseSpec[] =>
  Array.from({ length: n }, (_, i) => ({
    patient: from + i,
    sex: "MALE",
    birthDate: `19${20 + i}-01-01`,
    state: 7,
    district: 79,
    openedAt: `${day}T05:00:00Z`,
    diagnosis: "I10",
  }));

/** The periods each pseudonym has rows in: what links two known admissions. */
function periodsByPseudonym(rows: readonly SeenRow[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of rows) out.set(r.pseudonym, (out.get(r.pseudonym) ?? new Set()).add(r.period));
  return out;
}

let seen: SeenRelease[];
const byPeriod = (period: string) => seen.find((r) => r.period === period)!;

async function everyRow(release: SeenRelease): Promise<SeenDataset> {
  const d = await buildDataset(api, token, { releaseId: release.id });
  if (isRefused(d)) throw new Error(d.messages.join("; "));
  return d;
}

async function truthOf(release: SeenRelease): Promise<Map<string, string>> {
  return new Map((await rowsWithTruth(db.pool, release.id)).map((r) => [r.pseudonym, r.patientRef]));
}

beforeAll(async () => {
  await insertHospitals(db.pool, [{ id: 1, ...PUNE }]);
  // March: 40 women in one week; patient 1 comes back four more times that week.
  await write(population(1, 40, "2024-03-05"));
  await write(
    population(1, 4, "2024-03-07", {}, ["A90", "J10.1", "A90", "E11.9"]).map((c) => ({ ...c, patient: 1 })),
  );
  // April: weeks 14, 15, 16. Patients 125-136 are in weeks 14 and 15 (twelve alike); patient 199
  // is in weeks 14 and 16 only.
  await write(population(101, 36, "2024-04-02"));
  await write(population(125, 36, "2024-04-09"));
  await write(population(161, 36, "2024-04-16"));
  await write([...population(199, 1, "2024-04-03"), ...population(199, 1, "2024-04-17", {}, ["J10.1"])]);
  // May: 40 women with three diagnoses, 40 men 60-64 who all have diabetes.
  await write(population(201, 40, "2024-05-07"));
  await write(population(241, 40, "2024-05-07", { sex: "MALE", birthDate: "1962-01-01" }, ["E11.9"]));
  // June and July: 300 alike rows each; 6 singletons suppressed in June, 13 in July.
  await write(population(301, 300, "2024-06-04"));
  await write(singletons(601, 6, "2024-06-05"));
  await write(population(701, 300, "2024-07-02"));
  await write(singletons(1001, 13, "2024-07-03"));
  // August: 40 women in its last week; one more opened on Sunday 1 September at 23:00 IST, the
  // period's last hour (August's weeks end that Sunday).
  await write(population(1101, 40, "2024-08-27"));
  await write([{ ...population(1141, 1, "2024-09-01")[0]!, openedAt: "2024-09-01T17:30:00Z" }]);
  // September is empty; October: 48 women, 12 of them with malaria.
  await write(population(1201, 48, "2024-10-08", {}, ["A90", "J10.1", "E11.9", "B50.9"]));

  // Final up to Monday 5 August: March to July are due, August is not.
  await finalizeAt(db.pool, "2024-08-05T00:00:00Z");
  await grantInDatabase(db, ANALYST, "ANALYST");
  api = await startAttackerApi(db, fixtureDeployment());
  while (!(await cut(db.pool)).locked) await new Promise((r) => setTimeout(r, 50));
  token = await api.signIn(ANALYST);
  seen = await fetchReleases(api, token);
}, 120_000);

describe("releases of the crafted months", () => {
  it("were cut for March to July only: August's end is not final yet", () => {
    expect(seen.map((r) => r.period).sort()).toEqual(["2024-03", "2024-04", "2024-05", "2024-06", "2024-07"]);
    for (const period of ["2024-03", "2024-04", "2024-06", "2024-07"]) {
      expect(byPeriod(period).generalization).toMatchObject({
        age: "5_YEARS",
        region: "DISTRICT",
        period: "WEEK",
      });
    }
  });
});

describe("attack: a patient with several treatments in one class", () => {
  it("finds no pseudonym with her five rows: they are released under five pseudonyms among 40 patients", async () => {
    const march = byPeriod("2024-03");
    const rows = (await everyRow(march)).rows;
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.pseudonym, (counts.get(r.pseudonym) ?? 0) + 1);
    // Before releases, her five rows shared one per-dataset pseudonym: the only one with five.
    expect(Math.max(...counts.values())).toBe(1);
    const truth = await truthOf(march);
    expect(rows.filter((r) => truth.get(r.pseudonym) === patientRef(1))).toHaveLength(5);
    expect(new Set(rows.map((r) => truth.get(r.pseudonym))).size).toBe(40);
  });
});

describe("attack: two known admissions in two weeks", () => {
  it("links the twelve patients seen in weeks 14 and 15, and leaves at least k candidates for any pair known", async () => {
    const april = byPeriod("2024-04");
    const rows = (await everyRow(april)).rows;
    const truth = await truthOf(april);
    const weeksOf = periodsByPseudonym(rows);
    const both = [...weeksOf].filter(([, w]) => w.has("2024-W14") && w.has("2024-W15"));
    expect(new Set(both.map(([p]) => truth.get(p))).size).toBe(12);
    expect(both.length).toBeGreaterThanOrEqual(RELEASE_K);
  });

  it("gives the patient alone in weeks 14 and 16 one pseudonym per row, so the pair finds no one", async () => {
    const april = byPeriod("2024-04");
    const rows = (await everyRow(april)).rows;
    const truth = await truthOf(april);
    const weeksOf = periodsByPseudonym(rows);
    const pair = [...weeksOf].filter(([, w]) => w.has("2024-W14") && w.has("2024-W16"));
    expect(pair).toEqual([]);
    // Her rows are there, each among the week's patients.
    expect(rows.filter((r) => truth.get(r.pseudonym) === patientRef(199))).toHaveLength(2);
  });
});

describe("attack: homogeneity", () => {
  it("never shows a class whose patients share one diagnosis: the diabetic men are not released as a class", async () => {
    const may = byPeriod("2024-05");
    const rows = (await everyRow(may)).rows;
    const byClass = new Map<string, Set<string | null>>();
    for (const r of rows) byClass.set(classKey(r), (byClass.get(classKey(r)) ?? new Set()).add(r.diagnosis));
    for (const diagnoses of byClass.values()) expect(diagnoses.size).toBeGreaterThanOrEqual(RELEASE_L);
    // Whoever knows a man of 60-64 from Pune was admitted that week learns nothing certain of him.
    const men = rows.filter((r) => r.sex === "MALE" || r.sex === "*");
    const diagnosesOfMen = new Set(men.map((r) => r.diagnosis));
    expect(men.length === 0 || diagnosesOfMen.size >= RELEASE_L).toBe(true);
  });
});

describe("attack: counts before suppression", () => {
  it("cannot tell 6 suppressed rows from 13: June and July answer alike but for names and dates", async () => {
    const normalize = (r: SeenRelease, rows: SeenRow[]) => ({
      rowCount: r.rowCount,
      classCount: r.classCount,
      chapterRows: r.chapterRows,
      suppressedRows: r.suppressedRows,
      informationLoss: r.informationLoss,
      generalization: r.generalization,
      classes: r.classes.map((c) => ({ ...c, period: "?" })),
      rows: rows.map((x) => JSON.stringify({ ...x, pseudonym: "?", period: "?" })).sort(),
    });
    const june = byPeriod("2024-06");
    const july = byPeriod("2024-07");
    expect(normalize(june, (await everyRow(june)).rows)).toEqual(
      normalize(july, (await everyRow(july)).rows),
    );
    expect(june.suppressedRows).toEqual({ approximately: 10, roundedTo: 10 });
  });
});

describe("attack: timing of cuts against late events", () => {
  let august: SeenRelease;

  it("waits for the period's end to be final, though later blocks are indexed, then includes its last hour", async () => {
    // Final only up to one second before midnight IST on Sunday 1 September; indexed far ahead.
    await finalizeAt(db.pool, "2024-09-01T18:29:59Z");
    await db.pool.query(
      "UPDATE indexer_state SET indexed_block = finalized_block + 500, head_block = finalized_block + 500",
    );
    expect((await cut(db.pool)).cut).toEqual([]);
    expect((await fetchReleases(api, token)).map((r) => r.period)).not.toContain("2024-08");
    await finalizeAt(db.pool, "2024-09-01T18:30:00Z");
    expect((await cut(db.pool)).cut.map((r) => r.period)).toEqual(["2024-08"]);
    august = (await fetchReleases(api, token)).find((r) => r.period === "2024-08")!;
    const truth = await truthOf(august);
    const rows = (await everyRow(august)).rows;
    expect(rows.some((r) => truth.get(r.pseudonym) === patientRef(1141))).toBe(true);
  });

  it("is frozen: late discharges and a reorg below it change nothing an analyst sees, and nothing is re-cut", async () => {
    const before = (await everyRow(august)).rows;
    await db.pool.query(
      `UPDATE treatment SET stage = 'DISCHARGED', discharged_at = '2024-09-20T05:00:00Z'
        WHERE patient_ref = ANY($1::text[])`,
      [[patientRef(1101), patientRef(1102)]],
    );
    // A reorg deeper than the cut (which the indexer refuses; here forced) removes a treatment.
    await db.pool.query("DELETE FROM treatment WHERE patient_ref = $1", [patientRef(1103)]);
    await finalizeAt(db.pool, "2024-09-10T00:00:00Z");
    expect((await cut(db.pool)).cut).toEqual([]);
    const after = (await everyRow(august)).rows;
    expect(after).toEqual(before);
    expect(after.every((r) => r.lengthOfStayDays === null)).toBe(true);
    expect((await fetchReleases(api, token)).filter((r) => r.period === "2024-08")).toHaveLength(1);
  });
});

describe("an audit against what is already published", () => {
  it("withholds the groups it names, and the release still holds every rule", async () => {
    await finalizeAt(db.pool, "2024-11-05T00:00:00Z");
    const asked: string[] = [];
    const audit: GroupAudit = async (groups) => {
      asked.push(...groups.map((g) => `${g.diagnosis}:${g.rows}`));
      return new Set(groups.filter((g) => g.diagnosis === "B50").map((g) => g.key));
    };
    const out = await cutDueReleases({
      pool: db.pool,
      logger: createSilentLogger(),
      secret: SECRET,
      schedule: { period: "MONTH", lagDays: 0 },
      audit,
    });
    expect(out.cut.map((r) => r.period)).toEqual(["2024-10"]);
    expect(asked.sort()).toEqual(["A90:12", "B50:12", "E11:12", "J10:12"]);
    const october = (await fetchReleases(api, token)).find((r) => r.period === "2024-10")!;
    const rows = (await everyRow(october)).rows;
    expect(rows).toHaveLength(36);
    expect(new Set(rows.map((r) => r.diagnosis))).toEqual(new Set(["A90", "J10", "E11"]));
    expect(october.classes.every((c) => c.diagnoses >= RELEASE_L && c.rows >= RELEASE_K)).toBe(true);
  });
});
