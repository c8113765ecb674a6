import { beforeAll, describe, expect, it } from "vitest";
import { buildDataset } from "../../graphql/analytics/datasets/build-dataset.ts";
import type { DatasetDescription } from "../../graphql/analytics/datasets/catalog.ts";
import { canonicalParams } from "../../graphql/analytics/datasets/params.ts";
import { deriveDatasetKey, pseudonymOf } from "../../graphql/analytics/datasets/pseudonym.ts";
import {
  createDataset,
  datasetById,
  datasetRows,
  ownDatasets,
} from "../../graphql/analytics/datasets/resolve-datasets.ts";
import type { DatasetRow } from "../../graphql/analytics/datasets/rows.ts";
import { MIN_K } from "../../graphql/analytics/disclosure/policy.ts";
import { useTestDatabase } from "../helpers/db.ts";
import {
  analyticsContext,
  type CaseSpec,
  insertCases,
  insertHospitals,
  patientRef,
  SECRET,
} from "./analytics-fixtures.ts";

const db = useTestDatabase();
const ANALYST = "0x00000000000000000000000000000000000000c1" as const;
const OTHER_ANALYST = "0x00000000000000000000000000000000000000c2" as const;
const analyst = (address: `0x${string}` = ANALYST) => analyticsContext(db, ["ANALYST"], { address });

/** Patient 1 has two treatments, vitals and attachments; 60 patients in Pune; a few in small places. */
const CASES: CaseSpec[] = [
  ...Array.from(
    { length: 60 },
    (_, i): CaseSpec => ({
      patient: i + 1,
      sex: i % 2 === 0 ? "FEMALE" : "MALE",
      birthDate: i % 4 < 2 ? "1988-05-01" : "1992-05-01",
      state: 27,
      district: 490,
      openedAt: i % 3 === 0 ? "2025-01-14T05:00:00Z" : "2025-01-07T05:00:00Z",
      diagnosis: ["A90", "J10.1", "E11.9"][i % 3]!,
      stage: i % 5 === 0 ? "DISCHARGED" : "IN_TREATMENT",
      dischargedAt: i % 5 === 0 ? "2025-01-20T05:00:00Z" : null,
    }),
  ),
  {
    patient: 1,
    sex: "FEMALE",
    birthDate: "1988-05-01",
    state: 27,
    district: 490,
    openedAt: "2025-01-15T05:00:00Z",
    diagnosis: "A90",
  },
  // Dibang Valley (8,004 people): released as Arunachal Pradesh at best, and too few to release here.
  ...Array.from(
    { length: 4 },
    (_, i): CaseSpec => ({
      patient: 100 + i,
      state: 12,
      district: 230,
      openedAt: "2025-01-08T05:00:00Z",
      diagnosis: "A90",
    }),
  ),
  // New Delhi: six patients, one of them a 92-year-old.
  ...Array.from(
    { length: 6 },
    (_, i): CaseSpec => ({
      patient: 200 + i,
      state: 7,
      district: 79,
      birthDate: i === 0 ? "1932-01-01" : "1980-01-01",
      openedAt: "2025-01-09T05:00:00Z",
      diagnosis: "J10.1",
    }),
  ),
];

let ids: bigint[];

beforeAll(async () => {
  await insertHospitals(db.pool, [{ id: 1, state: 27, district: 490 }]);
  ids = await insertCases(db.pool, CASES);
  const first = ids[0]!;
  // Vitals of treatment 1: 38.2 and 39.1 °C, SpO2 96.5 % and 94.0 %, heart rate 80 and 91.
  await db.pool.query(
    `INSERT INTO vital (block_number, log_index, tx_hash, treatment_id, patient_ref, recorder, measured_at, temperature_centi_c,
       systolic_mmhg, diastolic_mmhg, heart_rate_bpm, spo2_permille)
     VALUES (100, 0, '0x1', $1, $2, '0xd', '2025-01-07T06:00:00Z', 3820, 120, 80, 80, 965),
            (100, 1, '0x1', $1, $2, '0xd', '2025-01-07T09:00:00Z', 3910, 135, 85, 91, 940)`,
    [first, patientRef(1)],
  );
  await db.pool.query(
    `INSERT INTO file_verification (cid, status) VALUES ('bafyverified', 'VERIFIED'), ('bafypending', 'PENDING')`,
  );
  await db.pool.query(
    `INSERT INTO attachment (block_number, log_index, treatment_id, kind, cid, actor, tx_hash)
     VALUES (101, 0, $1, 'LAB_REPORT', 'bafyverified', '0xd', '0x1'),
            (101, 1, $1, 'IMAGING', 'bafypending', '0xd', '0x1')`,
    [first],
  );
});

const DEFINITION = { from: "2025-01-01", to: "2025-01-31" };

async function allRows(
  ctx: ReturnType<typeof analyst>,
  dataset: DatasetDescription,
  first = 7,
): Promise<DatasetRow[]> {
  const out: DatasetRow[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await datasetRows(ctx, dataset, { first, after });
    out.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
}

describe("de-identified datasets", () => {
  let dataset: DatasetDescription;
  let rows: DatasetRow[];

  beforeAll(async () => {
    dataset = await createDataset(analyst(), DEFINITION);
    rows = await allRows(analyst(), dataset);
  });

  it("gives every equivalence class at least k distinct patients, checked on the stored rows", async () => {
    expect(dataset.k).toBe(MIN_K);
    expect(dataset.achievedK).toBeGreaterThanOrEqual(MIN_K);
    const { rows: classes } = await db.pool.query<{ n: number; p: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT pseudonym)::int AS p FROM analytics_dataset_row WHERE dataset_id = $1
        GROUP BY age_band, sex, state_code, district_code, period`,
      [dataset.id],
    );
    expect(classes.length).toBe(dataset.classes);
    for (const c of classes) expect(c.p).toBeGreaterThanOrEqual(MIN_K);
    expect(dataset.candidateRows).toBe(CASES.length);
    expect(dataset.rowCount + dataset.suppressedRows).toBe(dataset.candidateRows);
    expect(rows).toHaveLength(dataset.rowCount);
  });

  it("generalizes within the 5% suppression limit: the ten cases of small places cannot all be dropped", () => {
    // 10 of 71 rows sit in Dibang Valley and New Delhi: suppressing them would exceed 5%.
    expect(dataset.suppressedRows).toBeLessThanOrEqual(Math.floor(CASES.length * 0.05));
    expect(dataset.generalization).not.toEqual({
      age: "5_YEARS",
      sex: "SEX",
      region: "DISTRICT",
      period: "WEEK",
    });
    expect(dataset.method).toMatch(/k-anonymity/);
    expect(dataset.exportPath).toBe(`/export/datasets/${dataset.id}.ndjson`);
  });

  it("suppresses the small places instead when the definition allows 20% suppression, keeping districts", async () => {
    const lenient = await createDataset(analyst(), { ...DEFINITION, maxSuppressionPercent: 20 });
    expect(lenient.suppressedRows).toBeGreaterThanOrEqual(10);
    expect(lenient.generalization.region).toBe("DISTRICT");
    const lenientRows = await allRows(analyst(), lenient, 100);
    expect(lenientRows.some((r) => r.region.stateCode === 12 || r.region.stateCode === 7)).toBe(false);
    expect(lenient.informationLoss).toBeLessThan(dataset.informationLoss);
  });

  it("releases no identifier, treatment id, wallet address or exact date", () => {
    const allowed = [
      "pseudonym",
      "ageBand",
      "sex",
      "region",
      "period",
      "diagnosis",
      "stage",
      "lengthOfStayDays",
      "vitals",
      "verifiedAttachments",
    ];
    const text = JSON.stringify(rows);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual([...allowed].sort());
    expect(text).not.toMatch(/0x[0-9a-f]{8,}/i);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(text).not.toMatch(/"(id|treatmentId|patientRef|aadhaar|openedAt|dischargedAt)"/i);
    for (const row of rows) expect(row.period).toMatch(/^(\d{4}-W\d{2}|\d{4}-\d{2}|\d{4}-Q\d|\d{4}|\*)$/);
  });

  it("links a patient's rows by a per-dataset HMAC pseudonym, computed in SQL exactly as HMAC-SHA256 in Node", () => {
    const expected = pseudonymOf(deriveDatasetKey(SECRET, dataset.id), patientRef(1));
    const mine = rows.filter((r) => r.pseudonym === expected);
    expect(mine).toHaveLength(2);
    expect(new Set(rows.map((r) => r.pseudonym)).size).toBeLessThan(rows.length);
  });

  it("summarizes vitals, length of stay and verified attachments without their times", () => {
    const key = deriveDatasetKey(SECRET, dataset.id);
    const [withVitals] = rows.filter(
      (r) => r.pseudonym === pseudonymOf(key, patientRef(1)) && r.vitals.count > 0,
    );
    expect(withVitals?.vitals).toEqual({
      count: 2,
      maxTemperatureC: 39.1,
      minSpo2Percent: 94,
      meanHeartRateBpm: 85.5,
      maxSystolicMmHg: 135,
      maxDiastolicMmHg: 85,
    });
    expect(withVitals?.verifiedAttachments).toBe(1);
    // Opened 2025-01-14, discharged 2025-01-20 (IST days).
    expect(withVitals?.lengthOfStayDays).toBe(6);
    expect(rows.filter((r) => r.lengthOfStayDays === null).length).toBeGreaterThan(0);
  });

  it("gives another dataset unlinkable pseudonyms", async () => {
    const other = await createDataset(analyst(), DEFINITION);
    const otherRows = await allRows(analyst(), other, 100);
    const mine = new Set(rows.map((r) => r.pseudonym));
    expect(otherRows.some((r) => mine.has(r.pseudonym))).toBe(false);
    expect(otherRows).toHaveLength(rows.length);
  });

  it("reproduces the same rows from the same definition and dataset id", async () => {
    const before = await db.pool.query(
      "SELECT * FROM analytics_dataset_row WHERE dataset_id = $1 ORDER BY seq",
      [dataset.id],
    );
    await db.pool.query("DELETE FROM analytics_dataset WHERE id = $1", [dataset.id]);
    await buildDataset(db.pool, {
      id: dataset.id,
      params: canonicalParams(DEFINITION),
      secret: SECRET,
      createdBy: ANALYST,
    });
    const after = await db.pool.query(
      "SELECT * FROM analytics_dataset_row WHERE dataset_id = $1 ORDER BY seq",
      [dataset.id],
    );
    expect(after.rows).toEqual(before.rows);
  });

  it("pages with opaque cursors and a capped page size", async () => {
    const page = await datasetRows(analyst(), dataset, { first: 5 });
    expect(page.totalCount).toBe(dataset.rowCount);
    expect(page.pageInfo.endCursor).not.toContain(dataset.id);
    await expect(datasetRows(analyst(), dataset, { first: 1000 })).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    await expect(datasetRows(analyst(), dataset, { first: 5, after: "not-a-cursor" })).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
  });

  it("coarsens instead of suppressing when no suppression is allowed", async () => {
    const strict = await createDataset(analyst(), { ...DEFINITION, maxSuppressionPercent: 0 });
    expect(strict.suppressedRows).toBeLessThanOrEqual(dataset.suppressedRows);
    expect(strict.informationLoss).toBeGreaterThanOrEqual(dataset.informationLoss);
  });

  it("records creation and every page in the audit log, and the creation in the release log", async () => {
    const ctx = analyst();
    const created = await createDataset(ctx, { ...DEFINITION, k: 15 });
    await datasetRows(ctx, created, { first: 3 });
    expect(ctx.audited.map((a) => [a.operation, a.recordType, a.recordIds])).toEqual([
      ["createDeidentifiedDataset", "DATASET", [created.id]],
      ["DeidentifiedDataset.rows", "DATASET", [created.id]],
    ]);
    const { rows: log } = await db.pool.query(
      "SELECT kind, mechanism, cells FROM analytics_release WHERE id = $1",
      [created.id],
    );
    expect(log[0]).toEqual({ kind: "DATASET", mechanism: "k-anonymity", cells: created.rowCount });
    expect(created.achievedK ?? MIN_K + 4).toBeGreaterThanOrEqual(15);
  });
});

describe("dataset access", () => {
  it("shows a dataset to the analyst who made it only", async () => {
    const dataset = await createDataset(analyst(), DEFINITION);
    expect(await datasetById(analyst(), dataset.id)).not.toBeNull();
    expect(await datasetById(analyst(OTHER_ANALYST), dataset.id)).toBeNull();
    const list = await ownDatasets(analyst(OTHER_ANALYST), {});
    expect(list.nodes.map((d) => d.id)).not.toContain(dataset.id);
  });

  it("lets only ANALYST create or read datasets: PUBLIC_HEALTH, AUDITOR, GOVERNANCE and clinicians are refused", async () => {
    for (const role of ["PUBLIC_HEALTH", "AUDITOR", "GOVERNANCE", "STAFF", "DOCTOR"] as const) {
      const ctx = analyticsContext(db, [role]);
      await expect(createDataset(ctx, DEFINITION)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(ownDatasets(ctx, {})).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(createDataset(analyticsContext(db, null), DEFINITION)).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
    });
  });

  it("refuses to build datasets without the server secret, because pseudonyms need it", async () => {
    await expect(
      createDataset(analyticsContext(db, ["ANALYST"], { secret: null }), DEFINITION),
    ).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
  });
});
