import { beforeAll, describe, expect, it } from "vitest";
import {
  type CaseCountTable,
  resolveCaseCounts,
} from "../../graphql/analytics/aggregates/resolve-case-counts.ts";
import { PrivacyBudgetError } from "../../graphql/analytics/disclosure/errors.ts";
import { MIN_CELL_COUNT } from "../../graphql/analytics/disclosure/policy.ts";
import { resolveCaseTrends, type TrendSeries } from "../../graphql/analytics/trends/resolve-case-trends.ts";
import { graphqlCode } from "../../graphql/errors.ts";
import type { DocTelError } from "../../shared/errors.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { analyticsContext, type CaseSpec, insertCases, insertHospitals } from "./analytics-fixtures.ts";

const db = useTestDatabase();
const PUNE = 490;
const MUMBAI = 482;
const NAGPUR = 484;
const NEW_DELHI = 79;

/** n cases of a diagnosis in a district on a day (patients numbered from `first`), half female. */
function cases(
  n: number,
  first: number,
  district: number,
  state: number,
  date: string,
  diagnosis = "A90.0",
): CaseSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    patient: first + i,
    sex: i % 2 === 0 ? "FEMALE" : "MALE",
    birthDate: i % 3 === 0 ? "1990-03-01" : "1970-08-20",
    state,
    district,
    hospitalId: state === 7 ? 2 : 1,
    openedAt: `${date}T06:00:00Z`,
    diagnosis,
  }));
}

const TREND_WEEKS = 20;

beforeAll(async () => {
  await insertHospitals(db.pool, [
    { id: 1, state: 27, district: PUNE },
    { id: 2, state: 7, district: NEW_DELHI },
  ]);
  // Week 2025-W02 (Mon 2025-01-06) and W03.
  await insertCases(db.pool, [
    ...cases(30, 1, PUNE, 27, "2025-01-07"),
    ...cases(4, 100, PUNE, 27, "2025-01-14"),
    ...cases(15, 200, NEW_DELHI, 7, "2025-01-08"),
    ...cases(12, 300, MUMBAI, 27, "2025-01-09"),
    ...cases(25, 400, MUMBAI, 27, "2025-01-15"),
    ...cases(12, 500, PUNE, 27, "2025-01-07", "B50.9"),
    // A case opened at 20:00 UTC on 2025-01-12 is 01:30 IST on the 13th: week W03, not W02.
    { patient: 600, state: 27, district: PUNE, openedAt: "2025-01-12T20:00:00Z", diagnosis: "A90" },
    // Not a case: no diagnosis.
    { patient: 601, state: 27, district: PUNE, openedAt: "2025-01-07T06:00:00Z", diagnosis: null },
  ]);
  // Trend: Nagpur, J10 (influenza), 20 steady weeks from 2024-03-04, then an outbreak week.
  const steady = [20, 22, 19, 21, 20, 23, 18, 20, 21, 22, 19, 20, 21, 20, 22, 21, 19, 20, 21, 20];
  const trend: CaseSpec[] = [];
  let patient = 10_000;
  steady.forEach((n, w) => {
    const date = new Date(Date.UTC(2024, 2, 4 + 7 * w, 6)).toISOString().slice(0, 10);
    for (let i = 0; i < n; i++)
      trend.push({
        patient: patient++,
        state: 27,
        district: NAGPUR,
        openedAt: `${date}T06:00:00Z`,
        diagnosis: "J10.1",
      });
  });
  const outbreak = new Date(Date.UTC(2024, 2, 4 + 7 * TREND_WEEKS, 6)).toISOString().slice(0, 10);
  for (let i = 0; i < 70; i++)
    trend.push({
      patient: patient++,
      state: 27,
      district: NAGPUR,
      openedAt: `${outbreak}T06:00:00Z`,
      diagnosis: "J10.1",
    });
  // A few cases elsewhere in Maharashtra, so the state total differs from Nagpur.
  for (let i = 0; i < 5; i++)
    trend.push({
      patient: patient++,
      state: 27,
      district: PUNE,
      openedAt: `${outbreak}T06:00:00Z`,
      diagnosis: "J10.1",
    });
  await insertCases(db.pool, trend, 1000);
});

const publicHealth = () => analyticsContext(db, ["PUBLIC_HEALTH"]);

function cell(table: CaseCountTable, region: string, week: string | null) {
  return table.cells.find(
    (c) => c.region?.code === region && (week === null ? c.week?.level === "TOTAL" : c.week?.code === week),
  );
}

describe("caseCounts", () => {
  it("counts cases per district and ISO week from the daily rollup, on IST days", async () => {
    const ctx = publicHealth();
    const table = await resolveCaseCounts(ctx, {
      from: "2025-01-06",
      to: "2025-01-19",
      groupBy: ["ISO_WEEK", "DISTRICT"],
      diagnosis: { categories: ["A90"] },
    });
    expect(table.groupBy).toEqual(["DISTRICT", "ISO_WEEK"]);
    expect(cell(table, String(NEW_DELHI), "2025-W02")?.count).toBe(15);
    // Pune W03: 4 cases + the 01:30 IST one = 5 -> suppressed.
    expect(cell(table, String(PUNE), "2025-W03")).toMatchObject({ count: null, suppressed: true });
    // Mumbai W03 (25) is Pune W03's complement within Maharashtra's W03 column (total 30, released).
    expect(cell(table, String(MUMBAI), "2025-W03")?.suppressed).toBe(true);
    const maharashtraW03 = table.cells.find(
      (c) => c.region?.level === "STATE" && c.region.code === "27" && c.week?.code === "2025-W03",
    );
    expect(maharashtraW03?.count).toBe(30);
    // The grand total is every A90 case (the undiagnosed treatment and B50 excluded).
    const grand = table.cells.find((c) => c.region?.level === "TOTAL" && c.week?.level === "TOTAL");
    expect(grand?.count).toBe(30 + 5 + 15 + 12 + 25);
    expect(table.disclosure.minReleasedCount).toBe(MIN_CELL_COUNT);
    expect(table.disclosure.linearAudit).toMatch(/^complete/);
  });

  it("never releases 1-10 and leaves every row and column with zero or at least two suppressed cells", async () => {
    const table = await resolveCaseCounts(publicHealth(), {
      from: "2025-01-06",
      to: "2025-01-19",
      groupBy: ["DISTRICT", "ISO_WEEK"],
      diagnosis: { categories: ["A90"] },
    });
    for (const c of table.cells)
      if (c.count !== null) expect(c.count === 0 || c.count >= MIN_CELL_COUNT).toBe(true);
    // Pune's row: W02 (30) and W03 (5) with a released Pune total: W02 must be suppressed too.
    const puneTotal = cell(table, String(PUNE), null);
    expect(puneTotal?.count).toBe(35);
    expect(cell(table, String(PUNE), "2025-W02")?.suppressed).toBe(true);
    const byLine = new Map<string, number>();
    for (const c of table.cells.filter((x) => x.suppressed && !x.margin)) {
      byLine.set(`row ${c.region?.code}`, (byLine.get(`row ${c.region?.code}`) ?? 0) + 1);
      byLine.set(`col ${c.week?.code}`, (byLine.get(`col ${c.week?.code}`) ?? 0) + 1);
    }
    for (const n of byLine.values()) expect(n).toBeGreaterThanOrEqual(2);
  });

  it("reads only the rollup tables, never treatments or events", async () => {
    const { statements } = await db.countStatements(() =>
      resolveCaseCounts(publicHealth(), {
        from: "2025-01-01",
        to: "2025-01-31",
        groupBy: ["STATE", "AGE_BAND_10", "SEX"],
        diagnosis: { groups: ["vector-borne"] },
      }),
    );
    const reads = statements.filter((s) => /^\s*SELECT/i.test(s) && !/pg_advisory|analytics_release/.test(s));
    expect(reads.length).toBeGreaterThan(0);
    for (const sql of reads) {
      expect(sql).toMatch(/case_count_daily/);
      expect(sql).not.toMatch(/\btreatment\b|\bevent_log\b/);
    }
  });

  it("tables by disjoint surveillance groups, and refuses overlapping ones", async () => {
    const table = await resolveCaseCounts(publicHealth(), {
      from: "2025-01-06",
      to: "2025-01-19",
      groupBy: ["DIAGNOSIS_GROUP"],
      diagnosis: { groups: ["vector-borne", "respiratory"] },
    });
    const vector = table.cells.find((c) => c.diagnosis?.code === "vector-borne");
    expect(vector?.count).toBe(30 + 5 + 15 + 12 + 25 + 12);
    await expect(
      resolveCaseCounts(publicHealth(), {
        from: "2025-01-06",
        to: "2025-01-19",
        groupBy: ["DIAGNOSIS_GROUP"],
        diagnosis: { groups: ["water-borne", "acute-diarrhoeal"] },
      }),
    ).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });

  it("records each release in the append-only release log and the access audit log", async () => {
    const ctx = publicHealth();
    const table = await resolveCaseCounts(ctx, { from: "2025-01-06", to: "2025-01-19", groupBy: ["STATE"] });
    const { rows } = await db.pool.query(
      "SELECT kind, mechanism, epsilon, viewer, cells FROM analytics_release WHERE id = $1",
      [table.releaseId],
    );
    expect(rows[0]).toMatchObject({
      kind: "CASE_COUNTS",
      mechanism: "suppression",
      epsilon: null,
      cells: table.cells.length,
    });
    expect(ctx.audited).toEqual([
      expect.objectContaining({
        operation: "caseCounts",
        recordType: "AGGREGATE",
        recordIds: [table.releaseId],
      }),
    ]);
    await expect(
      db.pool.query("UPDATE analytics_release SET epsilon = 0 WHERE id = $1", [table.releaseId]),
    ).rejects.toThrow(/append-only/);
    await expect(db.pool.query("DELETE FROM analytics_release")).rejects.toThrow(/append-only/);
  });
});

describe("caseCounts dimensions", () => {
  it("groups by coarse age bands, sex and hospital, and can leave the margins out of the response", async () => {
    const table = await resolveCaseCounts(publicHealth(), {
      from: "2025-01-06",
      to: "2025-01-19",
      groupBy: ["HOSPITAL", "AGE_BAND_20", "SEX"],
      diagnosis: { chapters: [1] },
      includeMargins: false,
    });
    expect(table.cells.every((c) => !c.margin)).toBe(true);
    const ages = new Set(table.cells.map((c) => c.age?.code));
    expect([...ages].every((a) => a === "20-39" || a === "40-59")).toBe(true);
    expect(table.cells.find((c) => c.hospital?.code === "1")?.hospital?.label).toBe("Hospital 1");
    const released = table.cells.filter((c) => c.count !== null).reduce((sum, c) => sum + c.count!, 0);
    const withMargins = await resolveCaseCounts(publicHealth(), {
      from: "2025-01-06",
      to: "2025-01-19",
      groupBy: ["HOSPITAL", "AGE_BAND_20", "SEX"],
      diagnosis: { chapters: [1] },
    });
    // The same finest cells are suppressed either way: the margins are only left out of the response.
    const finest = withMargins.cells.filter((c) => !c.margin);
    expect(finest.filter((c) => c.count !== null).reduce((sum, c) => sum + c.count!, 0)).toBe(released);
    expect(
      withMargins.cells.find(
        (c) => c.hospital?.level === "TOTAL" && c.age?.level === "TOTAL" && c.sex?.level === "TOTAL",
      )?.count,
    ).toBe(30 + 5 + 15 + 12 + 25 + 12);
  });
});

describe("noisy releases", () => {
  it("states and records the epsilon, and releases only 0 or 11+ noisy integers", async () => {
    const ctx = analyticsContext(db, ["PUBLIC_HEALTH"], {
      address: "0x00000000000000000000000000000000000000b2",
    });
    const table = await resolveCaseCounts(ctx, {
      from: "2025-01-06",
      to: "2025-01-19",
      groupBy: ["STATE", "SEX"],
      region: { states: [27, 7] },
      noise: { epsilon: 1 },
    });
    expect(table.disclosure.noise).toMatchObject({ epsilon: 1, sensitivity: 1 });
    expect(table.disclosure.privacy.spentEpsilon).toBeCloseTo(1, 10);
    for (const c of table.cells) {
      if (c.count !== null) {
        expect(Number.isInteger(c.count)).toBe(true);
        expect(c.count === 0 || c.count >= MIN_CELL_COUNT).toBe(true);
      }
    }
    const { rows } = await db.pool.query(
      "SELECT epsilon, sensitivity, mechanism FROM analytics_release WHERE id = $1",
      [table.releaseId],
    );
    expect(rows[0]).toEqual({ epsilon: 1, sensitivity: 1, mechanism: "discrete-laplace+suppression" });
  });

  it("accounts epsilon per viewer and refuses a release beyond the budget", async () => {
    const ctx = () =>
      analyticsContext(db, ["PUBLIC_HEALTH"], {
        address: "0x00000000000000000000000000000000000000b3",
        budget: { epsilon: 1.5, windowDays: 30 },
      });
    const input = { from: "2025-01-06", to: "2025-01-19", groupBy: ["SEX"], noise: { epsilon: 1 } };
    const first = await resolveCaseCounts(ctx(), input);
    expect(first.disclosure.privacy).toEqual({ spentEpsilon: 1, windowDays: 30, budgetEpsilon: 1.5 });
    const refused = await resolveCaseCounts(ctx(), input).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PrivacyBudgetError);
    expect(graphqlCode((refused as DocTelError).code)).toBe("RATE_LIMITED");
    // Suppression-only releases spend nothing and are still served.
    const plain = await resolveCaseCounts(ctx(), { ...input, noise: null });
    expect(plain.disclosure.privacy.spentEpsilon).toBe(1);
  });
});

describe("caseTrends", () => {
  const trendInput = {
    from: "2024-03-04",
    to: new Date(Date.UTC(2024, 2, 4 + 7 * TREND_WEEKS)).toISOString().slice(0, 10),
    diagnoses: [{ categories: ["J10"] }],
  };

  it("flags the planted outbreak week (EARS C2) and not the steady weeks", async () => {
    // From week 9 on, every baseline lies within the steady weeks (before them there were no cases at all).
    const from = new Date(Date.UTC(2024, 2, 4 + 7 * 9)).toISOString().slice(0, 10);
    const release = await resolveCaseTrends(publicHealth(), {
      ...trendInput,
      from,
      region: { district: NAGPUR },
    });
    const [series] = release.series as TrendSeries[];
    const points = series!.points;
    expect(points).toHaveLength(TREND_WEEKS + 1 - 9);
    expect(points.at(-1)).toMatchObject({ count: 70, c2Alarm: true });
    expect(points.slice(0, -1).some((p) => p.c2Alarm === true)).toBe(false);
    expect(points[0]?.movingAverage).toBeCloseTo((20 + 21 + 22) / 3, 10);
    expect(series!.source).toBe("case_trend_weekly");
  });

  it("releases district series with their state total series, suppressed per week as one table", async () => {
    const release = await resolveCaseTrends(publicHealth(), {
      ...trendInput,
      region: { state: 27 },
      breakdown: "DISTRICT",
    });
    const series = release.series as TrendSeries[];
    const state = series.find((s) => s.region.level === "STATE")!;
    const pune = series.find((s) => s.region.code === String(PUNE))!;
    const nagpur = series.find((s) => s.region.code === String(NAGPUR))!;
    expect(state.total).toBe(true);
    expect(state.points.at(-1)?.count).toBe(75);
    // Pune has 5 cases in the last week: suppressed, and so Nagpur's 70 (else 75 - 70 = 5).
    expect(pune.points.at(-1)?.suppressed).toBe(true);
    expect(nagpur.points.at(-1)?.suppressed).toBe(true);
  });

  it("serves category trends from case_trend_weekly alone", async () => {
    const { statements } = await db.countStatements(() =>
      resolveCaseTrends(publicHealth(), { ...trendInput, region: { state: 27 } }),
    );
    const reads = statements.filter((s) => /^\s*SELECT/i.test(s) && !/pg_advisory|analytics_release/.test(s));
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatch(/FROM case_trend_weekly/);
  });
});

describe("noisy trends", () => {
  it("splits the epsilon between overlapping selections and releases only 0 or 11+ integers", async () => {
    const release = await resolveCaseTrends(
      analyticsContext(db, ["PUBLIC_HEALTH"], { address: "0x00000000000000000000000000000000000000b4" }),
      {
        from: "2024-05-06",
        to: "2024-07-21",
        diagnoses: [{ categories: ["J10"] }, { groups: ["respiratory"] }],
        region: { state: 27 },
        breakdown: "DISTRICT",
        noise: { epsilon: 1 },
      },
    );
    expect(release.disclosure.noise?.composition).toMatch(/overlap: each table got epsilon\/2/);
    expect(release.disclosure.privacy.spentEpsilon).toBeCloseTo(1, 10);
    for (const series of release.series) {
      for (const p of series.points)
        if (p.count !== null)
          expect(p.count === 0 || (Number.isInteger(p.count) && p.count >= MIN_CELL_COUNT)).toBe(true);
    }
  });
});

describe("roles", () => {
  it("lets only PUBLIC_HEALTH read aggregates: ANALYST, AUDITOR and GOVERNANCE are refused, anonymous callers must sign in", async () => {
    const input = { from: "2025-01-06", to: "2025-01-19", groupBy: ["STATE"] };
    for (const role of ["ANALYST", "AUDITOR", "GOVERNANCE", "STAFF", "DOCTOR"] as const) {
      await expect(resolveCaseCounts(analyticsContext(db, [role]), input)).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      await expect(
        resolveCaseTrends(analyticsContext(db, [role]), {
          from: "2025-01-06",
          to: "2025-01-19",
          diagnoses: [null],
        }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(resolveCaseCounts(analyticsContext(db, null), input)).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
    });
  });
});
