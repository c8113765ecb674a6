/**
 * Analytics through the whole pipeline: SDK writes on a real chain, the indexer in-process filling
 * the rollups, and the API server on real HTTP with SIWE sessions (test/graphql/harness.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { completeAadhaar } from "../../shared/identity/aadhaar.ts";
import { AADHAAR, buildScenario, PATIENT, type Scenario, useApiWorld, W } from "./harness.ts";

const world = useApiWorld({ apiEnv: { ANALYTICS_SECRET: "5a".repeat(32) } });
let s: Scenario;
const tokens: Record<string, string> = {};
const CENTRAL = 77; // Delhi's Central district, where the scenario's patients live
const EAST = 78;

/** Today's reporting day (IST) and its neighbours, "YYYY-MM-DD". */
const istDay = (offsetDays: number) =>
  new Date(Date.now() + 330 * 60_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  s = await buildScenario(world);
  for (const name of ["analyst", "publicHealth", "auditor", "staff1"] as const)
    tokens[name] = await world.signIn(W[name]);
  const staff = world.client(W.staff1);
  const doctor = world.client(W.doctor);
  const doctorAddress = world.wallet(W.doctor).account.address;
  // 12 dengue cases in Central Delhi, 3 in East Delhi.
  for (let i = 0; i < 15; i++) {
    const aadhaar = completeAadhaar(String(30_000_000_000 + i));
    await staff.registerPatient({
      aadhaar,
      ...PATIENT,
      districtCode: i < 12 ? CENTRAL : EAST,
      sex: i % 2 ? "MALE" : "FEMALE",
    });
    const { treatmentId } = await staff.openTreatment({ patientAadhaar: aadhaar });
    await staff.assignDoctor({ treatmentId, doctor: doctorAddress });
    await doctor.recordDiagnosis({ treatmentId, icd10: "A90" });
  }
  await world.indexed();
}, 300_000);

const COUNTS = `query ($input: CaseCountsInput!) {
  caseCounts(input: $input) {
    releaseId from to groupBy
    cells { region { level code label } margin count suppressed }
    disclosure { minReleasedCount suppressedCells linearAudit noise { epsilon } privacy { spentEpsilon windowDays } }
  }
}`;

const TRENDS = `query ($input: CaseTrendsInput!) {
  caseTrends(input: $input) {
    releaseId system aberration { name baselineWeeks lagWeeks threshold minSd }
    series { region { level code } total source points { weekStart week count suppressed movingAverage c2Alarm } }
    disclosure { suppressedCells }
  }
}`;

describe("aggregates over the real pipeline", () => {
  it("counts the indexed cases per district, suppressing small cells and their complements", async () => {
    const res = await world.gql(
      COUNTS,
      {
        input: { from: istDay(-1), to: istDay(1), groupBy: ["DISTRICT"], diagnosis: { categories: ["A90"] } },
      },
      tokens.publicHealth,
    );
    expect(res.errors).toBeUndefined();
    type Cell = { region: { level: string; code: string }; count: number | null; suppressed: boolean };
    const cells = (res.data as { caseCounts: { cells: Cell[] } }).caseCounts.cells;
    const byCode = (level: string, code: string) =>
      cells.find((c) => c.region.level === level && c.region.code === code);
    expect(byCode("DISTRICT", String(EAST))).toMatchObject({ count: null, suppressed: true });
    expect(byCode("DISTRICT", String(CENTRAL))).toMatchObject({ count: null, suppressed: true });
    expect(byCode("STATE", "7")?.count).toBe(15);
    expect(byCode("TOTAL", "*")?.count).toBe(15);
  });

  it("serves the weekly trend from the rollups the indexer keeps", async () => {
    const res = await world.gql(
      TRENDS,
      {
        input: {
          from: istDay(0),
          to: istDay(0),
          diagnoses: [{ categories: ["A90"] }, { categories: ["E11"] }],
        },
      },
      tokens.publicHealth,
    );
    expect(res.errors).toBeUndefined();
    type Series = { source: string; points: { count: number | null; suppressed: boolean }[] };
    const [dengue, diabetes] = (res.data as { caseTrends: { series: Series[] } }).caseTrends.series;
    expect(dengue?.source).toBe("case_trend_weekly");
    expect(dengue?.points.at(-1)?.count).toBe(15);
    // The scenario's one E11.9 case: suppressed.
    expect(diabetes?.points.at(-1)).toMatchObject({ count: null, suppressed: true });
  });
});

describe("roles over HTTP", () => {
  it("refuses aggregates to ANALYST and AUDITOR, and asks anonymous callers to sign in", async () => {
    const input = { from: istDay(-1), to: istDay(1), groupBy: ["STATE"] };
    expect((await world.gql(COUNTS, { input }, tokens.analyst)).codes).toEqual(["FORBIDDEN"]);
    expect((await world.gql(COUNTS, { input }, tokens.auditor)).codes).toEqual(["FORBIDDEN"]);
    expect((await world.gql(COUNTS, { input }, tokens.staff1)).codes).toEqual(["FORBIDDEN"]);
    expect((await world.gql(COUNTS, { input }, null)).codes).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses identified records to ANALYST, because analysts get de-identified datasets only", async () => {
    const res = await world.gql(`{ patient(aadhaar: "${AADHAAR.patient1}") { ref } }`, {}, tokens.analyst);
    expect(res.codes).toEqual(["FORBIDDEN"]);
    expect(s.ref1).toMatch(/^0x/);
  });

  it("refuses datasets to PUBLIC_HEALTH, in GraphQL and on the export route", async () => {
    const create = await world.gql(
      "mutation ($input: DatasetInput!) { createDeidentifiedDataset(input: $input) { id } }",
      { input: {} },
      tokens.publicHealth,
    );
    expect(create.codes).toEqual(["FORBIDDEN"]);
    expect((await world.gql("{ datasetReleases { nodes { id } } }", {}, tokens.publicHealth)).codes).toEqual([
      "FORBIDDEN",
    ]);
    expect(
      (await world.gql("{ deidentifiedDatasets { nodes { id } } }", {}, tokens.publicHealth)).codes,
    ).toEqual(["FORBIDDEN"]);
    const res = await fetch(`${world.api.url}/export/datasets/00000000-0000-4000-8000-000000000000.ndjson`, {
      headers: { authorization: `Bearer ${tokens.publicHealth}` },
    });
    expect(res.status).toBe(403);
  });
});
