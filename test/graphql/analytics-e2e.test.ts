/**
 * Analytics through the whole pipeline: SDK writes on a real chain, the indexer in-process filling
 * the rollups, and the API server on real HTTP with SIWE sessions (test/graphql/harness.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { weekNode } from "../../graphql/analytics/publications/calendar.ts";
import { createPublicationJob } from "../../graphql/analytics/publications/job.ts";
import { completeAadhaar } from "../../shared/identity/aadhaar.ts";
import { createSilentLogger } from "../../shared/logger.ts";
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
    system time publications { label firstDay }
    cells { time { label } region { level code label } diagnosis { level code } count suppressed source }
    disclosure { source rule suppressedCells }
  }
}`;

const TRENDS = `query ($input: CaseTrendsInput!) {
  caseTrends(input: $input) {
    system series { region { level code } diagnosis { code } points { week published count suppressed c2Alarm } }
  }
}`;

/**
 * Moves the chain's clock forward, so the week of the scenario closes (and its lag passes), then
 * mines past the indexer's finality depth (64): publications wait for finalized blocks.
 */
async function travel(seconds: number): Promise<void> {
  const rpc = (method: string, params: unknown[]) =>
    fetch(world.chain.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
  await rpc("evm_increaseTime", [seconds]);
  await world.chain.mine(70);
  await world.indexed();
}

describe("aggregates over the real pipeline", () => {
  let week: string;
  beforeAll(async () => {
    await travel(10 * 86_400);
    const head = await world.chain.publicClient.getBlock({ blockTag: "latest" });
    const job = createPublicationJob({
      pool: world.db.pool,
      databaseUrl: world.db.url,
      settings: { system: "ISO", lagDays: 2 },
      logger: createSilentLogger(),
      intervalMs: 60_000,
      inProcess: true,
      now: () => new Date(Number(head.timestamp) * 1000),
    });
    const tick = await job.runOnce();
    expect(tick.kind).toBe("ran");
    week = weekNode(istDay(0), "ISO").firstDay;
  }, 120_000);

  it("publishes the closed week from what the indexer wrote, and serves it over HTTP, suppressed", async () => {
    const res = await world.gql(
      COUNTS,
      {
        input: {
          from: week,
          to: week,
          region: { level: "DISTRICT", states: [7] },
          diagnosis: { level: "CATEGORY", codes: ["A90"] },
        },
      },
      tokens.publicHealth,
    );
    expect(res.errors).toBeUndefined();
    type Cell = {
      region: { level: string; code: string };
      count: number | null;
      suppressed: boolean;
      source: string;
    };
    const cells = (res.data as { caseCounts: { cells: Cell[] } }).caseCounts.cells;
    // East Delhi's 3 cases are suppressed, and Central's 12 with them (one alone would be 15 - 3).
    expect(cells.find((c) => c.region.code === String(EAST))).toMatchObject({
      count: null,
      suppressed: true,
    });
    expect(cells.find((c) => c.region.code === String(CENTRAL))).toMatchObject({
      count: null,
      suppressed: true,
    });
    // Every released figure of the week, at every level, is at least 11; the national total is
    // the 15 dengue cases and the scenario's one E11.9, or hidden with its parts.
    const states = await world.gql(
      COUNTS,
      { input: { from: week, to: week, region: { level: "STATE" }, diagnosis: { level: "CATEGORY" } } },
      tokens.publicHealth,
    );
    const stateCells = (states.data as { caseCounts: { cells: Cell[] } }).caseCounts.cells;
    expect(stateCells.length).toBeGreaterThan(0);
    for (const c of stateCells) expect(c.count === null || c.count >= 11).toBe(true);
    const total = await world.gql(COUNTS, { input: { from: week, to: week } }, tokens.publicHealth);
    const [nation] = (total.data as { caseCounts: { cells: Cell[] } }).caseCounts.cells;
    expect([null, 16]).toContain(nation?.count);
  });

  it("serves the weekly trend from the publication, with the week after it pending", async () => {
    const res = await world.gql(
      TRENDS,
      {
        input: {
          from: week,
          to: istDay(9),
          diagnoses: [{ level: "ALL" }],
        },
      },
      tokens.publicHealth,
    );
    expect(res.errors).toBeUndefined();
    type Series = { points: { week: string; published: boolean; count: number | null }[] };
    const [all] = (res.data as { caseTrends: { series: Series[] } }).caseTrends.series;
    expect(all?.points[0]?.published).toBe(true);
    expect([null, 16]).toContain(all?.points[0]?.count);
    expect(all?.points.at(-1)).toMatchObject({ published: false, count: null });
  });
});

describe("roles over HTTP", () => {
  it("refuses aggregates to ANALYST and AUDITOR, and asks anonymous callers to sign in", async () => {
    const input = { from: istDay(-1), to: istDay(1), region: { level: "STATE" } };
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
