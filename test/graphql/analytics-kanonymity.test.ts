import fc from "fast-check";
import { describe, expect, it } from "vitest";
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
} from "../../graphql/analytics/datasets/hierarchies.ts";
import { lossOfRelease, searchLattice } from "../../graphql/analytics/datasets/lattice-search.ts";
import { canonicalParams, minLevelsOf } from "../../graphql/analytics/datasets/params.ts";
import { MIN_K } from "../../graphql/analytics/disclosure/policy.ts";
import { ValidationError } from "../../shared/errors.ts";
import { toEpochDay } from "../../shared/reference/weeks.ts";

const PUNE = 490; // Maharashtra (27), 9.4 M people in 2011
const NEW_DELHI = 79; // Delhi (7), 142,004
const DIBANG_VALLEY = 230; // Arunachal Pradesh (12), 8,004: below 20,000
const thursday = (date: string) => toEpochDay(date);

function cls(over: Partial<QiClass> & { rows: number }): QiClass {
  return {
    ageBand: "35-39",
    sex: "FEMALE",
    stateCode: 27,
    districtCode: PUNE,
    anchorDay: thursday("2025-01-02"),
    ...over,
  };
}

describe("generalization hierarchies", () => {
  it("nests weeks in months, quarters and years through their Thursday", () => {
    // ISO week 2025-W01 runs Mon 2024-12-30 .. Sun 2025-01-05; its Thursday is 2025-01-02.
    const day = thursday("2025-01-02");
    expect([0, 1, 2, 3, 4].map((l) => periodAt(day, l))).toEqual([
      "2025-W01",
      "2025-01",
      "2025-Q1",
      "2025",
      "*",
    ]);
    expect(periodAt(thursday("2026-12-31"), 0)).toBe("2026-W53");
  });

  it("coarsens ages 5 -> 10 -> 20 years -> * with 90+ top-coded", () => {
    expect([0, 1, 2, 3].map((l) => ageAt("35-39", l))).toEqual(["35-39", "30-39", "20-39", "*"]);
    expect([0, 1, 2].map((l) => ageAt("90+", l))).toEqual(["90+", "90+", "80+"]);
    expect(sexAt("MALE", 1)).toBe("*");
  });

  it("starts districts under 20,000 people at their state, as Safe Harbor does with small areas", () => {
    expect(isReleasableDistrict(PUNE)).toBe(true);
    expect(isReleasableDistrict(DIBANG_VALLEY)).toBe(false);
    expect(regionAt({ stateCode: 12, districtCode: null }, 0)).toEqual({ stateCode: 12, districtCode: null });
    expect(regionAt({ stateCode: 27, districtCode: PUNE }, 1)).toEqual({ stateCode: 27, districtCode: null });
    expect(regionAt({ stateCode: 27, districtCode: PUNE }, 2)).toEqual({
      stateCode: null,
      districtCode: null,
    });
  });

  it("measures loss from 0 (as fine as asked) to 1 (suppressed), growing with each level", () => {
    expect(ageLoss("35-39", 0)).toBe(0);
    expect(ageLoss("35-39", 1)).toBeLessThan(ageLoss("35-39", 2));
    expect(ageLoss("35-39", 3)).toBe(1);
    expect(regionLoss({ stateCode: 27, districtCode: PUNE }, 0)).toBe(0);
    expect(regionLoss({ stateCode: 27, districtCode: PUNE }, 1)).toBeGreaterThan(0);
    expect(regionLoss({ stateCode: 27, districtCode: PUNE }, 2)).toBe(1);
    const day = thursday("2025-01-02");
    expect(periodLoss(day, 0, 365)).toBeLessThan(periodLoss(day, 1, 365));
    expect(periodLoss(day, 3, 365)).toBeLessThanOrEqual(1);
    expect(periodLoss(day, 4, 365)).toBe(1);
  });
});

describe("lattice search", () => {
  const k = MIN_K;
  const base = { k, minLevels: [0, 0, 0, 0] as Levels, rangeDays: 365 };

  it("keeps everything at the finest levels when every class already has k rows", () => {
    const result = searchLattice({
      ...base,
      classes: [cls({ rows: 12 }), cls({ sex: "MALE", rows: 30 })],
      maxSuppressedRows: 0,
    });
    expect(result.best.levels).toEqual([0, 0, 0, 0]);
    expect(result.best.suppressedRows).toBe(0);
    expect(result.best.loss).toBe(0);
  });

  it("suppresses a small class instead of generalizing everyone, when the suppression limit allows it", () => {
    const classes = [cls({ rows: 50 }), cls({ sex: "MALE", rows: 60 }), cls({ ageBand: "60-64", rows: 3 })];
    const result = searchLattice({ ...base, classes, maxSuppressedRows: 5 });
    expect(result.best.levels).toEqual([0, 0, 0, 0]);
    expect(result.best.suppressedRows).toBe(3);
    expect(result.best.minClassSize).toBe(50);
  });

  it("generalizes age to 10-year bands when suppression is not allowed and that is the cheapest merge", () => {
    const classes = [
      cls({ ageBand: "30-34", rows: 8 }),
      cls({ ageBand: "35-39", rows: 8 }),
      cls({ sex: "MALE", ageBand: "30-34", rows: 40 }),
    ];
    const result = searchLattice({ ...base, classes, maxSuppressedRows: 0 });
    expect(result.best.levels).toEqual([1, 0, 0, 0]);
    expect(result.best.suppressedRows).toBe(0);
    expect(result.best.minClassSize).toBe(16);
  });

  it("never releases finer than the definition allows", () => {
    const params = canonicalParams({
      from: "2025-01-01",
      to: "2025-12-31",
      regionGranularity: "STATE",
      periodGranularity: "QUARTER",
    });
    const minLevels = minLevelsOf(params);
    expect(minLevels).toEqual([0, 0, 1, 2]);
    const result = searchLattice({ ...base, minLevels, classes: [cls({ rows: 100 })], maxSuppressedRows: 0 });
    expect(result.best.levels).toEqual([0, 0, 1, 2]);
  });

  it("suppresses everything when there are fewer than k rows in all", () => {
    const result = searchLattice({
      ...base,
      classes: [cls({ rows: 4 }), cls({ sex: "MALE", rows: 3 })],
      maxSuppressedRows: 0,
    });
    expect(result.best.suppressedRows).toBe(7);
    expect(result.best.releasedClasses).toBe(0);
  });

  it("refuses k below 11, because the policy's floor is not configurable", () => {
    expect(() => canonicalParams({ from: "2025-01-01", to: "2025-01-31", k: 10 })).toThrow(ValidationError);
    expect(canonicalParams({ from: "2025-01-01", to: "2025-01-31" }).k).toBe(MIN_K);
  });

  const classArb = fc.record({
    ageBand: fc.constantFrom("0-4", "5-9", "30-34", "35-39", "60-64", "85-89", "90+"),
    sex: fc.constantFrom("FEMALE", "MALE"),
    place: fc.constantFrom([27, PUNE], [7, NEW_DELHI], [12, null] as [number, number | null]),
    anchorDay: fc.constantFrom(thursday("2025-01-02"), thursday("2025-02-13"), thursday("2025-07-03")),
    rows: fc.integer({ min: 1, max: 25 }),
  });

  it("releases only classes of at least k rows, suppressing exactly the rows of smaller ones, within the limit", () => {
    fc.assert(
      fc.property(
        fc.array(classArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 30 }),
        (raw, limit) => {
          const classes: QiClass[] = raw.map((c) => ({
            ageBand: c.ageBand,
            sex: c.sex,
            stateCode: c.place[0],
            districtCode: c.place[1],
            anchorDay: c.anchorDay,
            rows: c.rows,
          }));
          const total = classes.reduce((s, c) => s + c.rows, 0);
          const { best } = searchLattice({ ...base, classes, maxSuppressedRows: limit });
          // Recompute the equivalence classes independently from the chosen levels.
          const sizes = new Map<string, number>();
          const keyOf = (c: QiClass) => {
            const r = regionAt(c, best.levels[2]);
            return [
              ageAt(c.ageBand, best.levels[0]),
              sexAt(c.sex, best.levels[1]),
              r.stateCode,
              r.districtCode,
              periodAt(c.anchorDay, best.levels[3]),
            ].join("|");
          };
          for (const c of classes) sizes.set(keyOf(c), (sizes.get(keyOf(c)) ?? 0) + c.rows);
          const suppressed = classes.filter((c) => sizes.get(keyOf(c))! < k).reduce((s, c) => s + c.rows, 0);
          expect(best.suppressedRows).toBe(suppressed);
          for (const size of sizes.values())
            if (size >= k) expect(best.minClassSize).toBeLessThanOrEqual(size);
          if (total >= k) expect(best.suppressedRows).toBeLessThanOrEqual(limit);
          const released = new Set([...sizes].filter(([, n]) => n >= k).map(([key]) => key));
          expect(
            lossOfRelease(classes, best.levels, 365, (i) => released.has(keyOf(classes[i]!))),
          ).toBeCloseTo(best.loss, 10);
        },
      ),
      { numRuns: 200 },
    );
  });
});
