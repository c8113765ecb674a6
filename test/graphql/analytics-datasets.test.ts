import { beforeAll, describe, expect, it } from "vitest";
import type { DatasetDescription, ReleaseDescription } from "../../graphql/analytics/datasets/catalog.ts";
import { RELEASE_LOCK } from "../../graphql/analytics/datasets/cut-due-releases.ts";
import { DatasetLimitError } from "../../graphql/analytics/datasets/errors.ts";
import { deriveReleaseKey, pseudonymOf } from "../../graphql/analytics/datasets/pseudonym.ts";
import { RELEASE_K, RELEASE_L } from "../../graphql/analytics/datasets/release-policy.ts";
import {
  createDataset,
  datasetById,
  datasetRows,
  datasetUsage,
  ownDatasets,
  releaseById,
  releaseClassPage,
  releases,
  releaseValues,
} from "../../graphql/analytics/datasets/resolve-datasets.ts";
import type { DatasetRow } from "../../graphql/analytics/datasets/rows.ts";
import { graphqlCode } from "../../graphql/errors.ts";
import { useTestDatabase } from "../helpers/db.ts";
import {
  analyticsContext,
  type CaseSpec,
  insertCases,
  insertHospitals,
  patientRef,
  SECRET,
} from "./analytics-fixtures.ts";
import { cut, finalizeAt, rowsWithTruth } from "./dataset-fixtures.ts";

const db = useTestDatabase();
const ANALYST = "0x00000000000000000000000000000000000000c1" as const;
const OTHER_ANALYST = "0x00000000000000000000000000000000000000c2" as const;
const analyst = (address: `0x${string}` = ANALYST) => analyticsContext(db, ["ANALYST"], { address });

const PUNE = { state: 27, district: 490 };
const DX = ["A90", "J10.1", "E11.9"] as const;

/**
 * January 2025 (the month release "2025-01": Mon 2024-12-30 .. Sun 2025-02-02), in Pune:
 *  C1 = women 35-39, week 2025-W02: patients 1-36 (A90, J10.1, E11.9 in turn), 1-12 with a second
 *       treatment that week, 13 with three in all; 37-48 malaria and typhoid (6 each: too rare as
 *       categories, 12 together as chapter I); 49-51 hypertension (3: too rare even as chapter IX);
 *  C2 = men 30-34, week 2025-W03: patients 61-100.
 * One woman in New Delhi (her class of one is suppressed). February repeats C1 with patients 1-36.
 */
function januaryCases(): CaseSpec[] {
  const c1 = (patient: number, day: string, diagnosis: string): CaseSpec => ({
    patient,
    sex: "FEMALE",
    birthDate: "1988-05-01",
    ...PUNE,
    openedAt: `${day}T05:00:00Z`,
    diagnosis,
  });
  return [
    ...Array.from({ length: 36 }, (_, i) => c1(i + 1, "2025-01-07", DX[i % 3]!)),
    ...Array.from({ length: 12 }, (_, i) => ({
      ...c1(i + 1, "2025-01-09", DX[(i + 1) % 3]!),
      stage: "DISCHARGED" as const,
      dischargedAt: "2025-01-12T05:00:00Z",
    })),
    c1(13, "2025-01-10", "A90"),
    c1(13, "2025-01-11", "A90"),
    ...Array.from({ length: 6 }, (_, i) => c1(37 + i, "2025-01-08", "B50.9")),
    ...Array.from({ length: 6 }, (_, i) => c1(43 + i, "2025-01-08", "A01.0")),
    ...Array.from({ length: 3 }, (_, i) => c1(49 + i, "2025-01-08", "I10")),
    ...Array.from(
      { length: 40 },
      (_, i): CaseSpec => ({
        patient: 61 + i,
        sex: "MALE",
        birthDate: "1992-05-01",
        ...PUNE,
        openedAt: "2025-01-14T05:00:00Z",
        diagnosis: DX[i % 3]!,
      }),
    ),
    {
      patient: 300,
      sex: "FEMALE",
      birthDate: "1988-05-01",
      state: 7,
      district: 79,
      openedAt: "2025-01-07T05:00:00Z",
    },
  ];
}

const februaryCases = (): CaseSpec[] =>
  Array.from({ length: 36 }, (_, i) => ({
    patient: i + 1,
    sex: "FEMALE",
    birthDate: "1988-05-01",
    ...PUNE,
    openedAt: "2025-02-04T05:00:00Z",
    diagnosis: DX[i % 3]!,
  }));

let january: ReleaseDescription;
let february: ReleaseDescription;
const JANUARY_CASES = januaryCases();

beforeAll(async () => {
  await insertHospitals(db.pool, [{ id: 1, ...PUNE }]);
  await insertCases(db.pool, JANUARY_CASES);
  await insertCases(db.pool, februaryCases(), 1_000);
});

describe("cutting releases", () => {
  it("cuts nothing while the period's end is not final, because a treatment of it could still arrive", async () => {
    // January's weeks end Sunday 2025-02-02: over at 2025-02-02T18:30Z (midnight IST).
    await finalizeAt(db.pool, "2025-02-02T18:29:59Z");
    expect(await cut(db.pool)).toEqual({ locked: true, cut: [] });
    expect(await cut(db.pool, "MONTH", 7)).toEqual({ locked: true, cut: [] });
  });

  it("cuts each closed period once, oldest first, when its end plus the lag is final", async () => {
    await finalizeAt(db.pool, "2025-02-09T18:30:00Z");
    const first = await cut(db.pool, "MONTH", 7);
    expect(first.cut.map((r) => r.period)).toEqual(["2025-01"]);
    await finalizeAt(db.pool, "2025-03-03T00:00:00Z");
    const second = await cut(db.pool, "MONTH", 0);
    expect(second.cut.map((r) => r.period)).toEqual(["2025-02"]);
    expect((await cut(db.pool, "MONTH", 0)).cut).toEqual([]);
    const page = await releases(analyst(), {});
    expect(page.nodes.map((r) => [r.period, r.from, r.to])).toEqual([
      ["2025-02", "2025-02-03", "2025-03-02"],
      ["2025-01", "2024-12-30", "2025-02-02"],
    ]);
    [february, january] = page.nodes as [ReleaseDescription, ReleaseDescription];
  });

  it("refuses a second cutter while one holds the lock, so replicas never cut twice", async () => {
    const holder = await db.pool.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(hashtext($1))", [RELEASE_LOCK]);
      expect(await cut(db.pool)).toEqual({ locked: false, cut: [] });
    } finally {
      await holder.query("SELECT pg_advisory_unlock(hashtext($1))", [RELEASE_LOCK]);
      holder.release();
    }
  });

  it("keeps the finest generalization here: every class of women 35-39 / men 30-34 in Pune per week holds", () => {
    expect(january.generalization).toEqual({
      age: "5_YEARS",
      sex: "SEX",
      region: "DISTRICT",
      period: "WEEK",
      diagnosis: "CATEGORY_OR_CHAPTER",
    });
    expect(january.classCount).toBe(2);
    expect(january.k).toBe(RELEASE_K);
    expect(january.l).toBe(RELEASE_L);
    expect(january.method).toMatch(/l-diversity/);
  });

  it("holds every rule on the stored rows: k patients per class and per diagnosis, l diagnoses per class", async () => {
    const rows = await rowsWithTruth(db.pool, january.id);
    const by = <K>(key: (r: (typeof rows)[number]) => K) => {
      const m = new Map<K, Set<string>>();
      for (const r of rows) {
        if (!m.has(key(r))) m.set(key(r), new Set());
        m.get(key(r))!.add(r.patientRef);
      }
      return m;
    };
    for (const patients of by((r) => r.class_no).values())
      expect(patients.size).toBeGreaterThanOrEqual(RELEASE_K);
    for (const patients of by((r) => `${r.class_no}/${r.diagnosis}`).values())
      expect(patients.size).toBeGreaterThanOrEqual(RELEASE_K);
    const values = new Map<number, Set<string | null>>();
    for (const r of rows) values.set(r.class_no, (values.get(r.class_no) ?? new Set()).add(r.diagnosis));
    for (const v of values.values()) expect(v.size).toBeGreaterThanOrEqual(RELEASE_L);
    expect(rows).toHaveLength(january.rowCount);
  });

  it("releases rare categories as their chapter when the chapter reaches k, and suppresses the rest", async () => {
    const rows = await rowsWithTruth(db.pool, january.id);
    const diagnoses = new Set(rows.map((r) => r.diagnosis));
    expect([...diagnoses].sort()).toEqual(["A00-B99", "A90", "E11", "J10"]);
    expect(rows.filter((r) => r.diagnosis === "A00-B99")).toHaveLength(12);
    expect(january.chapterRows).toBe(12);
    // Three hypertension cases and the one New Delhi case are left out: 4, shown rounded.
    expect(january.rowCount).toBe(JANUARY_CASES.length - 4);
    expect(january.suppressedRows).toEqual({ approximately: 0, roundedTo: 10 });
    expect(rows.some((r) => r.state_code === 7)).toBe(false);
  });

  it("links a patient's rows by the release's pseudonym when k patients share their classes, else unlinks them", async () => {
    const rows = await rowsWithTruth(db.pool, january.id);
    const key = deriveReleaseKey(SECRET, january.id);
    // Patients 1-12 each have two rows in C1: twelve alike, so linked.
    const first = rows.filter((r) => r.patientRef === patientRef(1));
    expect(first).toHaveLength(2);
    expect(new Set(first.map((r) => r.pseudonym))).toEqual(new Set([pseudonymOf(key, patientRef(1))]));
    // Patient 13 alone has three rows there: linked, they would single her out.
    const thirteen = rows.filter((r) => r.patientRef === patientRef(13));
    expect(thirteen).toHaveLength(3);
    expect(new Set(thirteen.map((r) => r.pseudonym)).size).toBe(3);
    expect(thirteen.every((r) => !r.linked)).toBe(true);
  });

  it("gives each release its own pseudonyms: the same patient in February is unrelated to January", async () => {
    const jan = await rowsWithTruth(db.pool, january.id);
    const feb = await rowsWithTruth(db.pool, february.id);
    const janPseudonyms = new Set(jan.map((r) => r.pseudonym));
    expect(feb.some((r) => janPseudonyms.has(r.pseudonym))).toBe(false);
    expect(feb.find((r) => r.patientRef === patientRef(1))?.pseudonym).toBe(
      pseudonymOf(deriveReleaseKey(SECRET, february.id), patientRef(1)),
    );
  });

  it("computes pseudonyms in SQL exactly as HMAC-SHA256 in Node", async () => {
    const rows = await rowsWithTruth(db.pool, january.id);
    expect(rows.filter((r) => r.linked).length).toBeGreaterThan(0);
    expect(rows.filter((r) => !r.linked).length).toBe(3);
  });

  it("shuffles rows within a class by a keyed order, not by opening time or treatment id", async () => {
    const { rows: all } = await db.pool.query<{ seq: number; pseudonym: string }>(
      "SELECT seq, pseudonym FROM dataset_release_row WHERE release_id = $1 AND class_no = 1 ORDER BY seq",
      [january.id],
    );
    // Class 1 (men 30-34) was inserted in patient order 61..100; its released order is not that order.
    const key = deriveReleaseKey(SECRET, january.id);
    const insertion = Array.from({ length: 40 }, (_, i) => pseudonymOf(key, patientRef(61 + i)));
    expect(all.map((r) => r.pseudonym)).not.toEqual(insertion);
    expect(new Set(all.map((r) => r.pseudonym))).toEqual(new Set(insertion));
  });

  it("is frozen: a late discharge changes neither the release nor any later cut", async () => {
    const before = await db.pool.query(
      "SELECT * FROM dataset_release_row WHERE release_id = $1 ORDER BY seq",
      [january.id],
    );
    await db.pool.query(
      "UPDATE treatment SET stage = 'DISCHARGED', discharged_at = '2025-02-20T05:00:00Z' WHERE patient_ref = $1",
      [patientRef(61)],
    );
    await finalizeAt(db.pool, "2025-04-30T00:00:00Z");
    const later = await cut(db.pool);
    expect(later.cut.map((r) => r.period)).toEqual([]);
    const after = await db.pool.query(
      "SELECT * FROM dataset_release_row WHERE release_id = $1 ORDER BY seq",
      [january.id],
    );
    expect(after.rows).toEqual(before.rows);
    await expect(
      db.pool.query("DELETE FROM dataset_release_row WHERE release_id = $1", [january.id]),
    ).rejects.toThrow(/append-only/);
    await expect(db.pool.query("UPDATE dataset_release SET row_count = 0")).rejects.toThrow(/append-only/);
  });
});

async function allRows(ctx: ReturnType<typeof analyst>, dataset: DatasetDescription, first = 7) {
  const out: DatasetRow[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await datasetRows(ctx, dataset, { first, after });
    out.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
}

describe("datasets: whole classes of one release", () => {
  it("lists a release's classes and the values a dataset can select", async () => {
    const classes = await releaseClassPage(analyst(), january, { first: 10 });
    expect(classes.totalCount).toBe(2);
    expect(classes.nodes.map((c) => [c.ageBand, c.sex, c.region.districtName, c.period])).toEqual([
      ["30-34", "MALE", "Pune", "2025-W03"],
      ["35-39", "FEMALE", "Pune", "2025-W02"],
    ]);
    const values = await releaseValues(analyst(), january);
    expect(values.ageBands).toEqual(["30-34", "35-39"]);
    expect(values.periods).toEqual(["2025-W02", "2025-W03"]);
  });

  it("reads the values of a page of releases in one statement, however many releases (no N+1)", async () => {
    const ctx = analyst();
    const page = await releases(ctx, {});
    const { result, count, statements } = await db.countStatements(() =>
      Promise.all(page.nodes.map((r) => releaseValues(ctx, r))),
    );
    expect(result).toHaveLength(2);
    expect({ count, statements }).toMatchObject({ count: 1 });
  });

  it("builds a dataset from the latest release by default, every row of the selected classes", async () => {
    const ctx = analyst();
    const dataset = await createDataset(ctx, {});
    expect(dataset.releaseId).toBe(february.id);
    const specific = await createDataset(ctx, { releaseId: january.id, sexes: ["MALE"] });
    expect(specific.classCount).toBe(1);
    expect(specific.rowCount).toBe(40);
    const rows = await allRows(ctx, specific);
    expect(rows).toHaveLength(40);
    expect(new Set(rows.map((r) => r.sex))).toEqual(new Set(["MALE"]));
    expect(ctx.audited.map((a) => a.operation)).toContain("createDeidentifiedDataset");
    expect(ctx.audited.filter((a) => a.operation === "DeidentifiedDataset.rows").length).toBeGreaterThan(1);
  });

  it("shows the same rows and pseudonyms for the same selection twice: a release is anonymized once", async () => {
    const a = await allRows(analyst(), await createDataset(analyst(), { releaseId: january.id }), 50);
    const b = await allRows(analyst(), await createDataset(analyst(), { releaseId: january.id }), 50);
    expect(b).toEqual(a);
  });

  it("defaults to the latest release with rows, skipping one whose classes were all too small", async () => {
    await insertCases(db.pool, [{ patient: 400, openedAt: "2025-04-08T05:00:00Z" }], 5_000);
    await finalizeAt(db.pool, "2025-05-01T00:00:00Z");
    expect((await cut(db.pool)).cut.map((r) => [r.period, r.rowCount])).toEqual([["2025-04", 0]]);
    expect((await createDataset(analyst(), {})).releaseId).toBe(february.id);
  });

  it("refuses values finer than the release, values it never has, and selections of no class", async () => {
    const refuse = (input: Parameters<typeof createDataset>[1]) =>
      expect(createDataset(analyst(), { releaseId: january.id, ...input })).rejects.toMatchObject({
        code: "BAD_USER_INPUT",
      });
    await refuse({ ageBands: ["36"] });
    await refuse({ ageBands: ["30-39"] });
    await refuse({ periods: ["2025-01-07"] });
    await refuse({ periods: ["2025-W07"] });
    await refuse({ sexes: ["F"] });
    await refuse({ districts: [230] }); // Dibang Valley: under 20,000 people, released as its state
    await refuse({ ageBands: ["60-64"] });
    await expect(
      createDataset(analyst(), { releaseId: "00000000-0000-4000-8000-000000000000" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("reports no count taken before suppression except rounded", async () => {
    const release = await releaseById(analyst(), january.id);
    const text = JSON.stringify(release);
    expect(text).not.toMatch(/"(candidateRows|suppressedRows)":\d/);
    expect(text).not.toMatch(/candidate/i);
    expect(release?.suppressedRows.roundedTo).toBe(10);
  });

  it("pages with opaque cursors and a capped page size", async () => {
    const dataset = await createDataset(analyst(), { releaseId: january.id });
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

  it("releases no identifier, treatment id, wallet address or date finer than a week", async () => {
    const rows = await allRows(analyst(), await createDataset(analyst(), { releaseId: january.id }), 100);
    const text = JSON.stringify(rows);
    expect(text).not.toMatch(/0x[0-9a-f]{8,}/i);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(text).not.toMatch(/"(id|treatmentId|patientRef|aadhaar|openedAt|dischargedAt)"/i);
    for (const row of rows) expect(row.period).toMatch(/^(\d{4}-W\d{2}|\d{4}-\d{2}|\*)$/);
    const discharged = rows.filter((r) => r.lengthOfStayDays !== null);
    expect(discharged.map((r) => r.lengthOfStayDays)).toEqual(Array(12).fill(3));
  });
});

describe("dataset access and limits", () => {
  it("shows a dataset to the analyst who made it only", async () => {
    const dataset = await createDataset(analyst(), { releaseId: january.id });
    expect(await datasetById(analyst(), dataset.id)).not.toBeNull();
    expect(await datasetById(analyst(OTHER_ANALYST), dataset.id)).toBeNull();
    const list = await ownDatasets(analyst(OTHER_ANALYST), {});
    expect(list.nodes.map((d) => d.id)).not.toContain(dataset.id);
  });

  it("lets only ANALYST read releases or create datasets", async () => {
    for (const role of ["PUBLIC_HEALTH", "AUDITOR", "GOVERNANCE", "STAFF", "DOCTOR"] as const) {
      const ctx = analyticsContext(db, [role]);
      await expect(createDataset(ctx, {})).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(releases(ctx, {})).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(ownDatasets(ctx, {})).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(createDataset(analyticsContext(db, null), {})).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
    });
  });

  it("refuses datasets beyond the account's daily limit with RATE_LIMITED, even when asked concurrently", async () => {
    const address = "0x00000000000000000000000000000000000000c9" as const;
    const ctx = analyticsContext(db, ["ANALYST"], { address });
    (ctx.settings as { datasetLimits?: unknown }).datasetLimits = { datasetsPerDay: 3, exportsPerDay: 1 };
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => createDataset(ctx, { releaseId: january.id })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const refused = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(DatasetLimitError);
      expect(graphqlCode((r.reason as DatasetLimitError).code)).toBe("RATE_LIMITED");
      expect((r.reason as Error).message).toMatch(/limit of 3 datasets per 24 hours/);
    }
    expect(await datasetUsage(ctx)).toMatchObject({ datasetsCreated: 3, datasetLimit: 3, windowHours: 24 });
    // Another analyst is not affected.
    await expect(createDataset(analyst(OTHER_ANALYST), { releaseId: january.id })).resolves.toBeDefined();
  });
});
