import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ageAt,
  ageLoss,
  chapterLabel,
  isReleasableDistrict,
  periodAt,
  periodLoss,
  type QiClass,
  regionAt,
  regionLoss,
  sexAt,
} from "../../graphql/analytics/datasets/hierarchies.ts";
import { keptAt, searchLattice } from "../../graphql/analytics/datasets/lattice-search.ts";
import {
  type LinkRow,
  patientsToUnlink,
  releaseRuleViolations,
  signatureOf,
} from "../../graphql/analytics/datasets/linkage.ts";
import {
  nextPeriod,
  periodClosesAt,
  periodContaining,
  releasePeriod,
  thursdayOf,
} from "../../graphql/analytics/datasets/periods.ts";
import { RELEASE_K, RELEASE_L, roundCount } from "../../graphql/analytics/datasets/release-policy.ts";
import { fromEpochDay, isoWeek, toEpochDay } from "../../shared/reference/weeks.ts";

const PUNE = 490; // Maharashtra (27), 9.4 M people in 2011
const NEW_DELHI = 79; // Delhi (7), 142,004
const DIBANG_VALLEY = 230; // Arunachal Pradesh (12), 8,004: below 20,000
const thursday = (date: string) => toEpochDay(date);
const k = RELEASE_K;
const l = RELEASE_L;

function cls(over: Partial<QiClass> & { rows: number }): QiClass {
  return {
    ageBand: "35-39",
    sex: "FEMALE",
    stateCode: 27,
    districtCode: PUNE,
    anchorDay: thursday("2025-01-02"),
    diagnosis: "A90",
    chapter: 1,
    ...over,
  };
}

/** A class of `rows` rows per category, for three common categories. */
const diverse = (over: Partial<QiClass>, rows = 12): QiClass[] =>
  [
    ["A90", 1],
    ["J10", 10],
    ["E11", 4],
  ].map(([diagnosis, chapter]) =>
    cls({ ...over, diagnosis: diagnosis as string, chapter: chapter as number, rows }),
  );

describe("release periods", () => {
  it("covers the ISO weeks whose Thursday falls in the period, so weeks never straddle two releases", () => {
    const q1 = releasePeriod("QUARTER", 2026, 0);
    expect([q1.label, fromEpochDay(q1.start), fromEpochDay(q1.end)]).toEqual([
      "2026-Q1",
      "2025-12-29",
      "2026-03-29",
    ]);
    const q2 = nextPeriod(q1);
    expect(q2.start).toBe(q1.end + 1);
    expect(nextPeriod(releasePeriod("QUARTER", 2026, 3)).label).toBe("2027-Q1");
    expect(releasePeriod("MONTH", 2025, 0).label).toBe("2025-01");
    expect(releasePeriod("HALF_YEAR", 2025, 1).label).toBe("2025-H2");
    expect(releasePeriod("YEAR", 2026, 0).label).toBe("2026");
  });

  it("puts every day in exactly one period, whose weeks are whole (Monday to Sunday)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: toEpochDay("2020-01-01"), max: toEpochDay("2030-12-31") }),
        fc.constantFrom("MONTH", "QUARTER", "HALF_YEAR", "YEAR" as const),
        (day, kind) => {
          const p = periodContaining(kind, day);
          expect(day).toBeGreaterThanOrEqual(p.start);
          expect(day).toBeLessThanOrEqual(p.end);
          expect(new Date(p.start * 86_400_000).getUTCDay()).toBe(1);
          expect((p.end - p.start + 1) % 7).toBe(0);
          expect(periodContaining(kind, p.end + 1).start).toBe(p.end + 1);
          expect(isoWeek(fromEpochDay(thursdayOf(day))).start).toBe(isoWeek(fromEpochDay(day)).start);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("closes at midnight IST after its last day", () => {
    const jan = releasePeriod("MONTH", 2025, 0);
    expect(new Date(periodClosesAt(jan) * 1000).toISOString()).toBe("2025-02-02T18:30:00.000Z");
  });
});

describe("generalization hierarchies", () => {
  it("nests weeks in months through their Thursday, then *", () => {
    const day = thursday("2025-01-02");
    expect([0, 1, 2].map((lv) => periodAt(day, lv))).toEqual(["2025-W01", "2025-01", "*"]);
    expect(periodAt(thursday("2026-12-31"), 0)).toBe("2026-W53");
  });

  it("coarsens ages 5 -> 10 -> 20 years -> * with 90+ top-coded", () => {
    expect([0, 1, 2, 3].map((lv) => ageAt("35-39", lv))).toEqual(["35-39", "30-39", "20-39", "*"]);
    expect([0, 1, 2].map((lv) => ageAt("90+", lv))).toEqual(["90+", "90+", "80+"]);
    expect(sexAt("MALE", 1)).toBe("*");
    expect(chapterLabel(1)).toBe("A00-B99");
  });

  it("starts districts under 20,000 people at their state, as Safe Harbor does with small areas", () => {
    expect(isReleasableDistrict(PUNE)).toBe(true);
    expect(isReleasableDistrict(DIBANG_VALLEY)).toBe(false);
    expect(regionAt({ stateCode: 27, districtCode: PUNE }, 1)).toEqual({ stateCode: 27, districtCode: null });
    expect(regionAt({ stateCode: 27, districtCode: PUNE }, 2)).toEqual({
      stateCode: null,
      districtCode: null,
    });
  });

  it("measures loss from 0 (as fine as possible) to 1 (*), growing with each level", () => {
    expect(ageLoss("35-39", 0)).toBe(0);
    expect(ageLoss("35-39", 1)).toBeLessThan(ageLoss("35-39", 2));
    expect(ageLoss("35-39", 3)).toBe(1);
    expect(regionLoss({ stateCode: 27, districtCode: PUNE }, 1)).toBeGreaterThan(0);
    expect(regionLoss({ stateCode: 27, districtCode: PUNE }, 2)).toBe(1);
    const day = thursday("2025-01-02");
    expect(periodLoss(day, 0, 91)).toBe(0);
    expect(periodLoss(day, 1, 91)).toBeGreaterThan(0);
    expect(periodLoss(day, 1, 91)).toBeLessThan(1);
    expect(periodLoss(day, 2, 91)).toBe(1);
  });

  it("rounds counts taken before suppression half up to tens", () => {
    expect([0, 4, 5, 14, 15, 104].map(roundCount)).toEqual([0, 0, 10, 10, 20, 100]);
  });
});

describe("lattice search with the release rules", () => {
  const base = { k, l, releaseDays: 91 };

  it("keeps everything at the finest levels when every class already holds", () => {
    const classes = [...diverse({}), ...diverse({ sex: "MALE" })];
    const result = searchLattice({ ...base, classes, maxSuppressedRows: 0 });
    expect(result.best.levels).toEqual([0, 0, 0, 0]);
    expect(result.best.suppressedRows).toBe(0);
    expect(result.best.loss).toBe(0);
  });

  it("never releases a class of fewer than l diagnoses, however many rows: it merges it (here over sex) or suppresses it", () => {
    const classes = [...diverse({}), cls({ sex: "MALE", rows: 40 })];
    expect([...keptAt(classes, [0, 0, 0, 0], k, l)]).toEqual([1, 1, 1, 0]);
    const result = searchLattice({ ...base, classes, maxSuppressedRows: 40 });
    expect(result.best.levels).toEqual([0, 1, 0, 0]);
    expect(result.best.suppressedRows).toBe(0);
  });

  it("pools rare categories into their chapter when that reaches k, and suppresses what stays rare", () => {
    const classes = [
      ...diverse({}),
      cls({ diagnosis: "B50", chapter: 1, rows: 6 }),
      cls({ diagnosis: "A01", chapter: 1, rows: 6 }),
      cls({ diagnosis: "I10", chapter: 9, rows: 3 }),
    ];
    expect([...keptAt(classes, [0, 0, 0, 0], k, l)]).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it("generalizes age to 10-year bands when that merges two classes into one that holds", () => {
    const classes = [...diverse({ ageBand: "30-34" }, 6), ...diverse({ ageBand: "35-39" }, 6)];
    const result = searchLattice({ ...base, classes, maxSuppressedRows: 0 });
    expect(result.best.suppressedRows).toBe(0);
    expect(result.best.levels[0]).toBe(1);
  });

  const entryArb = fc.record({
    ageBand: fc.constantFrom("0-4", "30-34", "35-39", "60-64", "90+"),
    sex: fc.constantFrom("FEMALE", "MALE"),
    place: fc.constantFrom([27, PUNE], [7, NEW_DELHI], [12, null] as [number, number | null]),
    anchorDay: fc.constantFrom(thursday("2025-01-02"), thursday("2025-01-09"), thursday("2025-02-13")),
    dx: fc.constantFrom(["A90", 1], ["B50", 1], ["J10", 10], ["E11", 4], ["I10", 9], ["", 0] as [
      string,
      number,
    ]),
    rows: fc.integer({ min: 1, max: 25 }),
  });

  it("keeps only rows whose class has k rows and l values, each value with k rows, within the limit when possible", () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 0, max: 40 }),
        (raw, limit) => {
          const classes: QiClass[] = raw.map((c) => ({
            ageBand: c.ageBand,
            sex: c.sex,
            stateCode: c.place[0],
            districtCode: c.place[1],
            anchorDay: c.anchorDay,
            diagnosis: c.dx[0],
            chapter: c.dx[1],
            rows: c.rows,
          }));
          const { best } = searchLattice({ ...base, classes, maxSuppressedRows: limit });
          const kept = keptAt(classes, best.levels, k, l);
          // Recompute, independently, what was kept: per class, the released values and their rows.
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
          const categoryRows = new Map<string, number>();
          for (const c of classes)
            categoryRows.set(
              `${keyOf(c)}/${c.diagnosis}`,
              (categoryRows.get(`${keyOf(c)}/${c.diagnosis}`) ?? 0) + c.rows,
            );
          const valueRows = new Map<string, Map<string, number>>();
          let suppressed = 0;
          classes.forEach((c, i) => {
            if (!kept[i]) {
              suppressed += c.rows;
              return;
            }
            const value =
              categoryRows.get(`${keyOf(c)}/${c.diagnosis}`)! >= k ? c.diagnosis : `chapter ${c.chapter}`;
            if (!valueRows.has(keyOf(c))) valueRows.set(keyOf(c), new Map());
            const m = valueRows.get(keyOf(c))!;
            m.set(value, (m.get(value) ?? 0) + c.rows);
          });
          for (const values of valueRows.values()) {
            expect(values.size).toBeGreaterThanOrEqual(l);
            for (const n of values.values()) expect(n).toBeGreaterThanOrEqual(k);
          }
          expect(best.suppressedRows).toBe(suppressed);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("pseudonym linkage", () => {
  const limits = { k, l };
  const single = (patient: number, classNo: number, value: number): LinkRow => ({ patient, classNo, value });

  it("names a pseudonym's classes with their row counts", () => {
    expect(signatureOf([7, 3, 7])).toBe("3:1,7:2");
  });

  it("keeps k alike multi-row patients linked and unlinks a lone one, whose row count would single them out", () => {
    const rows: LinkRow[] = [];
    for (let p = 0; p < 40; p++) rows.push(single(p, 1, p % 3));
    for (let p = 0; p < 12; p++) rows.push(single(p, 1, (p + 1) % 3));
    rows.push(single(20, 1, 0), single(20, 1, 1));
    const unlinked = patientsToUnlink(rows, limits);
    expect([...unlinked]).toEqual([20]);
  });

  it("unlinks patients seen in two classes when fewer than k share that pair (two known admissions)", () => {
    const rows: LinkRow[] = [];
    for (let p = 0; p < 40; p++) rows.push(single(p, 1, p % 3), single(100 + p, 2, p % 3));
    rows.push(single(5, 2, 1));
    expect([...patientsToUnlink(rows, limits)]).toEqual([5]);
  });

  it("always ends with every visible group holding k patients and l values", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            patient: fc.integer({ min: 0, max: 80 }),
            classNo: fc.integer({ min: 1, max: 3 }),
            value: fc.integer({ min: 0, max: 3 }),
          }),
          {
            minLength: 1,
            maxLength: 300,
          },
        ),
        (raw) => {
          // Only classes that hold the class rules reach linkage: drop the others first.
          const patients = new Map<number, Set<number>>();
          const values = new Map<number, Set<number>>();
          for (const r of raw) {
            patients.set(r.classNo, (patients.get(r.classNo) ?? new Set()).add(r.patient));
            values.set(r.classNo, (values.get(r.classNo) ?? new Set()).add(r.value));
          }
          const rows = raw.filter(
            (r) => patients.get(r.classNo)!.size >= k && values.get(r.classNo)!.size >= l,
          );
          const unlinked = patientsToUnlink(rows, limits);
          let n = 0;
          const released = rows.map((r) => ({
            ...r,
            pseudonym: unlinked.has(r.patient) ? `row${n++}` : `patient${r.patient}`,
          }));
          const violations = releaseRuleViolations(released, { k: 1, l: 1 }).concat(
            releaseRuleViolations(released, limits).filter((v) => v.startsWith("pseudonyms")),
          );
          expect(violations).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
