/**
 * Publications: the calendar, one publication per closed week (plus the lag), suppression audited
 * by LP over everything published, frozen weeks, and the exact queries that read them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  dueAt,
  nodeOf,
  nodesClosedBy,
  periodNode,
  weekNode,
  weeksInYear,
} from "../../graphql/analytics/publications/calendar.ts";
import { publishDue } from "../../graphql/analytics/publications/publish.ts";
import { resolveCaseCounts } from "../../graphql/analytics/publications/resolve-counts.ts";
import { resolveCaseTrends } from "../../graphql/analytics/publications/resolve-trends.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { attack } from "../privacy/attacker.ts";
import { simulateNetwork, writeNetwork } from "../privacy/network.ts";
import { analyticsContext, insertCases } from "./analytics-fixtures.ts";

describe("publication calendar", () => {
  it("cuts ISO years into 13 periods of 4 weeks, the last taking week 53", () => {
    expect(weeksInYear(2020, "ISO")).toBe(53);
    expect(weeksInYear(2021, "ISO")).toBe(52);
    const p13 = periodNode(2020, 13, "ISO");
    expect([p13.firstDay, p13.lastDay]).toEqual(["2020-11-30", "2021-01-03"]);
    expect(periodNode(2024, 1, "ISO")).toMatchObject({
      label: "2024-P01",
      firstDay: "2024-01-01",
      lastDay: "2024-01-28",
    });
  });

  it("names MMWR weeks the CDC way and starts them on Sunday", () => {
    expect(weekNode("2024-01-06", "MMWR")).toMatchObject({
      label: "2024-01",
      firstDay: "2023-12-31",
      lastDay: "2024-01-06",
    });
    expect(nodeOf("YEAR", "2024-01-06", "MMWR")).toMatchObject({ label: "2024", firstDay: "2023-12-31" });
  });

  it("closes a period and a year with their last week only", () => {
    expect(nodesClosedBy(weekNode("2024-01-22", "ISO"), "ISO").map((n) => n.label)).toEqual(["2024-P01"]);
    expect(nodesClosedBy(weekNode("2024-01-15", "ISO"), "ISO")).toEqual([]);
    expect(nodesClosedBy(weekNode("2024-12-23", "ISO"), "ISO").map((n) => n.label)).toEqual([
      "2024-P13",
      "2024",
    ]);
  });

  it("makes a week due at the end of its last IST day plus the lag", () => {
    expect(dueAt(weekNode("2024-01-01", "ISO"), 2).toISOString()).toBe("2024-01-09T18:30:00.000Z");
  });
});

describe("weekly publications", () => {
  const db = useTestDatabase();
  const logger = createSilentLogger();
  const settings = { system: "ISO" as const, lagDays: 2 };
  // Eight weeks from Monday 2024-01-01: the first period (4 weeks) closes within them.
  const network = simulateNetwork({ seed: 7, casesPerWeek: 90, weeks: 8, start: "2024-01-01" });

  beforeAll(async () => {
    await writeNetwork(db.pool, network);
    // Weeks 1-6 are due on 2024-02-14 (week 6 ends 02-11, + 2 days); week 7 is not.
    await publishDue({
      pool: db.pool,
      settings,
      logger,
      now: new Date("2024-02-14T12:00:00Z"),
      indexed: new Date("2024-02-14T12:00:00Z"),
    });
  }, 300_000);

  it("publishes each closed week once the lag has passed, and the period its fourth week closes", async () => {
    const { rows } = await db.pool.query<{ level: string; label: string }>(
      "SELECT level, label FROM case_publication ORDER BY first_day, level DESC",
    );
    expect(rows.map((r) => r.label)).toEqual([
      "2024-W01",
      "2024-P01",
      "2024-W02",
      "2024-W03",
      "2024-W04",
      "2024-W05",
      "2024-W06",
    ]);
  });

  it("never releases a count from 1 to 10, in any table, margin, week or period", async () => {
    const { rows } = await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM case_publication_cell WHERE count BETWEEN 1 AND 10",
    );
    expect(rows[0]!.n).toBe(0);
    const suppressed = await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM case_publication_cell WHERE count IS NULL",
    );
    expect(suppressed.rows[0]!.n).toBeGreaterThan(50);
  });

  it("leaves every suppressed small count wide under LP over everything published at once", async () => {
    const { sensitive, recovered } = await attack(db.pool, "ISO", 10);
    expect(sensitive.length).toBeGreaterThan(50);
    expect(
      recovered.map((r) => `${r.node.level} ${r.node.firstDay} ${r.key} = ${r.truth} in [${r.lo}, ${r.hi}]`),
    ).toEqual([]);
  }, 300_000);

  it("keeps a published week frozen: a late case changes nothing published, and the next week follows", async () => {
    const before = await db.pool.query(
      "SELECT region, diagnosis, age, sex, count FROM case_publication_cell WHERE level = 'WEEK' AND first_day = '2024-01-01' ORDER BY 1, 2, 3, 4",
    );
    await insertCases(
      db.pool,
      [{ patient: 900_001, openedAt: "2024-01-03T06:00:00Z", diagnosis: "A90", state: 27, district: 490 }],
      900_001,
    );
    const published = await publishDue({
      pool: db.pool,
      settings,
      logger,
      now: new Date("2024-02-21T12:00:00Z"),
      indexed: new Date("2024-02-21T12:00:00Z"),
    });
    expect(published.map((p) => p.node.label)).toEqual(["2024-W07"]);
    const after = await db.pool.query(
      "SELECT region, diagnosis, age, sex, count FROM case_publication_cell WHERE level = 'WEEK' AND first_day = '2024-01-01' ORDER BY 1, 2, 3, 4",
    );
    expect(after.rows).toEqual(before.rows);
    await expect(
      db.pool.query("UPDATE case_publication_cell SET count = 1 WHERE level = 'WEEK'"),
    ).rejects.toThrow(/append-only/);
  }, 120_000);

  it("publishes nothing before the index has reached the week's end plus the lag", async () => {
    const published = await publishDue({
      pool: db.pool,
      settings,
      logger,
      now: new Date("2024-03-30T00:00:00Z"),
      indexed: new Date("2024-02-22T00:00:00Z"),
    });
    expect(published).toEqual([]);
  });

  it("answers caseCounts from the publications, exact where released and null where suppressed", async () => {
    const ctx = analyticsContext(db, ["PUBLIC_HEALTH"]);
    const table = await resolveCaseCounts(ctx, {
      from: "2024-01-01",
      to: "2024-01-31",
      region: { level: "STATE" },
      diagnosis: { level: "ALL" },
    });
    expect(table.publications.map((p) => p.label)).toEqual([
      "2024-W01",
      "2024-W02",
      "2024-W03",
      "2024-W04",
      "2024-W05",
    ]);
    const truth = await db.pool.query<{ state: number; week: string; n: number }>(
      `SELECT state_code AS state, to_char(date_trunc('week', day), 'YYYY-MM-DD') AS week, sum(count)::int AS n
         FROM case_count_daily WHERE day < '2024-02-05' GROUP BY 1, 2`,
    );
    for (const cell of table.cells) {
      const t = truth.rows.find((r) => `${r.state}` === cell.region.code && r.week === cell.time.firstDay);
      if (cell.time.firstDay === "2024-01-01") continue; // the late case is not in the frozen week
      if (!cell.suppressed) expect(cell.count).toBe(t?.n);
      expect(cell.source).toBe("PUBLISHED");
    }
    // A period cell is the sum of its weeks' cells when all four were released, and suppressed otherwise.
    const weeks = await resolveCaseCounts(ctx, {
      from: "2024-01-01",
      to: "2024-01-22",
      diagnosis: { level: "CHAPTER" },
    });
    const period = await resolveCaseCounts(ctx, {
      time: "PERIOD",
      from: "2024-01-01",
      to: "2024-01-01",
      diagnosis: { level: "CHAPTER" },
    });
    expect(period.cells.length).toBeGreaterThan(3);
    for (const cell of period.cells) {
      const parts = weeks.cells.filter((w) => w.diagnosis.code === cell.diagnosis.code);
      const released = parts.every((w) => !w.suppressed);
      expect(cell.count).toBe(released ? parts.reduce((a, w) => a + w.count!, 0) : null);
    }
  });

  it("refuses combinations no table publishes, and points to the noisy query", async () => {
    const ctx = analyticsContext(db, ["PUBLIC_HEALTH"]);
    await expect(
      resolveCaseCounts(ctx, {
        from: "2024-01-01",
        to: "2024-01-31",
        region: { level: "DISTRICT" },
        diagnosis: { level: "CHAPTER" },
      }),
    ).rejects.toThrow(/not published.*noisyCaseCounts/);
    await expect(
      resolveCaseCounts(ctx, {
        from: "2024-01-01",
        to: "2024-01-31",
        region: { level: "STATE" },
        byAge: true,
      }),
    ).rejects.toThrow(/not published/);
    // Age and sex are crossed with chapters and all diagnoses only (lattice.ts, isPeopleDiagnosis).
    await expect(
      resolveCaseCounts(ctx, {
        from: "2024-01-01",
        to: "2024-01-31",
        diagnosis: { level: "GROUP", codes: ["vector-borne"] },
        bySex: true,
      }),
    ).rejects.toThrow(/group × age or sex is not published/);
    await expect(
      resolveCaseCounts(ctx, {
        from: "2024-01-01",
        to: "2024-01-31",
        diagnosis: { level: "GROUP", codes: ["covid-19"] },
      }),
    ).rejects.toThrow(/sub-category/);
  });

  it("draws trends from published weeks only: later weeks are pending, never zero, and EARS waits for a full baseline", async () => {
    const ctx = analyticsContext(db, ["PUBLIC_HEALTH"]);
    const release = await resolveCaseTrends(ctx, {
      from: "2024-01-01",
      to: "2024-03-10",
      diagnoses: [{ level: "ALL" }, { level: "GROUP", code: "vector-borne" }],
    });
    const all = release.series.find((s) => s.diagnosisIndex === 0)!;
    expect(all.points.filter((p) => p.published).map((p) => p.week)).toEqual([
      "2024-W01",
      "2024-W02",
      "2024-W03",
      "2024-W04",
      "2024-W05",
      "2024-W06",
      "2024-W07",
    ]);
    const pending = all.points.filter((p) => !p.published);
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((p) => p.count === null && !p.suppressed)).toBe(true);
    // Only 7 weeks exist: no week has the 7-week baseline ending 2 weeks before it.
    expect(all.points.every((p) => p.c2Alarm === null && p.expected === null)).toBe(true);
  });

  it("lets only PUBLIC_HEALTH read publications", async () => {
    await expect(
      resolveCaseCounts(analyticsContext(db, ["ANALYST"]), { from: "2024-01-01", to: "2024-01-31" }),
    ).rejects.toThrow(/PUBLIC_HEALTH/);
  });
});
