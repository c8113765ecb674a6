import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../shared/errors.ts";
import {
  AGE_BAND_LEVELS,
  AGE_BANDS,
  ageBand,
  ageInYears,
  epiWeek,
  epochDayOf,
  formatEpiWeek,
  fromEpochDay,
  generalizeAgeBand,
  IST_OFFSET_MINUTES,
  isoWeek,
  mmwrWeek,
  toEpochDay,
  type WeekSystem,
  weekStart,
} from "../../shared/reference/weeks.ts";

const DAY_MS = 86_400_000;
const day = (iso: string) => toEpochDay(iso);
const weekday = (epochDay: number) => new Date(epochDay * DAY_MS).getUTCDay(); // 0 Sunday .. 6 Saturday
/** 1900-01-01 .. 2199-12-31 */
const anyDay = fc.integer({ min: day("1900-01-01"), max: day("2199-12-31") });
const system = fc.constantFrom<WeekSystem>("iso", "mmwr");

/**
 * Independent oracle, written from the standards' own wording: week 1 starts on the Monday (ISO)
 * or Sunday (MMWR) on or before January 4; a date belongs to the latest year whose week 1 has begun.
 */
function oracle(epochDay: number, sys: WeekSystem): { year: number; week: number } {
  const firstDay = sys === "iso" ? 1 : 0;
  const week1Start = (year: number) => {
    const jan4 = day(`${year}-01-04`);
    return jan4 - ((weekday(jan4) - firstDay + 7) % 7);
  };
  const calendarYear = new Date(epochDay * DAY_MS).getUTCFullYear();
  for (const year of [calendarYear + 1, calendarYear, calendarYear - 1]) {
    if (week1Start(year) <= epochDay)
      return { year, week: Math.floor((epochDay - week1Start(year)) / 7) + 1 };
  }
  throw new Error("unreachable");
}

describe("ISO weeks (IDSP)", () => {
  it("puts the days around New Year into the week that holds the year's first Thursday", () => {
    expect(isoWeek("2021-01-03")).toEqual({ year: 2020, week: 53, start: "2020-12-28" });
    expect(isoWeek("2021-01-04")).toEqual({ year: 2021, week: 1, start: "2021-01-04" });
    expect(isoWeek("2024-12-30")).toEqual({ year: 2025, week: 1, start: "2024-12-30" });
    expect(isoWeek("2026-01-03")).toEqual({ year: 2026, week: 1, start: "2025-12-29" });
    expect(isoWeek("2015-12-31")).toEqual({ year: 2015, week: 53, start: "2015-12-28" });
  });

  it("formats weeks as ISO 8601 does", () => {
    expect(formatEpiWeek(isoWeek("2021-01-03"), "iso")).toBe("2020-W53");
    expect(formatEpiWeek(isoWeek("2024-03-05"), "iso")).toBe("2024-W10");
  });
});

describe("MMWR weeks (CDC)", () => {
  it("ends week 1 on the first Saturday of January at least four days into the month", () => {
    expect(mmwrWeek("2021-01-02")).toEqual({ year: 2020, week: 53, start: "2020-12-27" });
    expect(mmwrWeek("2021-01-03")).toEqual({ year: 2021, week: 1, start: "2021-01-03" });
    expect(mmwrWeek("2022-01-01")).toEqual({ year: 2021, week: 52, start: "2021-12-26" });
    expect(mmwrWeek("2024-01-01")).toEqual({ year: 2024, week: 1, start: "2023-12-31" });
    expect(mmwrWeek("2025-01-01")).toEqual({ year: 2025, week: 1, start: "2024-12-29" });
  });

  it("gives 2025 a week 53, because 1 January 2026 is a Thursday and week 1 of 2026 ends on 10 January", () => {
    expect(mmwrWeek("2025-12-27")).toEqual({ year: 2025, week: 52, start: "2025-12-21" });
    expect(mmwrWeek("2025-12-28")).toEqual({ year: 2025, week: 53, start: "2025-12-28" });
    expect(mmwrWeek("2026-01-03")).toEqual({ year: 2025, week: 53, start: "2025-12-28" });
    expect(mmwrWeek("2026-01-04")).toEqual({ year: 2026, week: 1, start: "2026-01-04" });
    expect(formatEpiWeek(mmwrWeek("2026-01-03"), "mmwr")).toBe("2025-53");
  });
});

describe("week properties", () => {
  it("agrees with an oracle written from the standards' definitions", () => {
    fc.assert(
      fc.property(anyDay, system, (d, sys) => {
        const { year, week } = epiWeek(d, sys);
        expect({ year, week }).toEqual(oracle(d, sys));
      }),
      { numRuns: 2000 },
    );
  });

  it("starts every week on a Monday (ISO) or Sunday (MMWR) at most 6 days before the date", () => {
    fc.assert(
      fc.property(anyDay, system, (d, sys) => {
        const start = day(weekStart(d, sys));
        expect(weekday(start)).toBe(sys === "iso" ? 1 : 0);
        expect(d - start).toBeGreaterThanOrEqual(0);
        expect(d - start).toBeLessThanOrEqual(6);
      }),
    );
  });

  it("keeps every day of a week in the same week", () => {
    fc.assert(
      fc.property(anyDay, system, fc.integer({ min: 0, max: 6 }), (d, sys, offset) => {
        const start = day(weekStart(d, sys));
        expect(epiWeek(start + offset, sys)).toEqual(epiWeek(d, sys));
      }),
    );
  });

  it("moves consecutive weeks 7 days apart, numbering up by one or restarting at 1 after week 52 or 53", () => {
    fc.assert(
      fc.property(anyDay, system, (d, sys) => {
        const current = epiWeek(d, sys);
        const next = epiWeek(d + 7, sys);
        expect(day(next.start) - day(current.start)).toBe(7);
        if (next.year === current.year) expect(next.week).toBe(current.week + 1);
        else {
          expect(next.year).toBe(current.year + 1);
          expect(next.week).toBe(1);
          expect([52, 53]).toContain(current.week);
        }
      }),
    );
  });

  it("names a week's year after the calendar year it mostly lies in", () => {
    fc.assert(
      fc.property(anyDay, system, (d, sys) => {
        const { year, week } = epiWeek(d, sys);
        const start = day(weekStart(d, sys));
        const daysInYear = Array.from({ length: 7 }, (_, i) => fromEpochDay(start + i)).filter((s) =>
          s.startsWith(String(year)),
        );
        expect(daysInYear.length).toBeGreaterThanOrEqual(4);
        expect(week).toBeGreaterThanOrEqual(1);
        expect(week).toBeLessThanOrEqual(53);
      }),
    );
  });
});

describe("dates", () => {
  it("accepts epoch days, YYYY-MM-DD strings and Dates (by their UTC date) alike", () => {
    expect(toEpochDay("1970-01-01")).toBe(0);
    expect(toEpochDay("1969-12-31")).toBe(-1);
    expect(toEpochDay(19_723)).toBe(19_723);
    expect(toEpochDay(new Date("2024-01-01T23:59:59Z"))).toBe(day("2024-01-01"));
    expect(fromEpochDay(19_723)).toBe("2024-01-01");
    expect(isoWeek(new Date("2021-01-04T00:00:00Z"))).toEqual(isoWeek("2021-01-04"));
  });

  it("rejects impossible dates and other formats instead of rolling them over", () => {
    for (const bad of [
      "2023-02-29",
      "2024-13-01",
      "2024-1-1",
      "01/02/2024",
      "2024-01-01T00:00:00Z",
      "0999-12-31",
    ]) {
      expect(() => toEpochDay(bad), bad).toThrow(ValidationError);
    }
    expect(() => toEpochDay(1.5)).toThrow(ValidationError);
    expect(() => toEpochDay(new Date("nonsense"))).toThrow(ValidationError);
    expect(toEpochDay("2024-02-29")).toBe(day("2024-02-28") + 1);
  });

  it("dates a timestamp in the time zone asked for, because an evening in UTC is the next day in India", () => {
    const eveningUtc = Date.parse("2024-01-07T20:00:00Z") / 1000; // Sunday 20:00 UTC = Monday 01:30 IST
    expect(fromEpochDay(epochDayOf(eveningUtc, 0))).toBe("2024-01-07");
    expect(fromEpochDay(epochDayOf(eveningUtc, IST_OFFSET_MINUTES))).toBe("2024-01-08");
    expect(isoWeek(epochDayOf(eveningUtc, IST_OFFSET_MINUTES)).week).toBe(2);
    expect(isoWeek(epochDayOf(eveningUtc, 0)).week).toBe(1);
  });
});

describe("age bands", () => {
  it("counts completed years, turning a year older on the birthday itself", () => {
    expect(ageInYears(day("1990-06-15"), day("2024-06-14"))).toBe(33);
    expect(ageInYears(day("1990-06-15"), day("2024-06-15"))).toBe(34);
    expect(ageInYears(day("2024-03-01"), day("2024-03-01"))).toBe(0);
    expect(ageInYears(day("2000-02-29"), day("2023-02-28"))).toBe(22);
    expect(ageInYears(day("2000-02-29"), day("2023-03-01"))).toBe(23);
    expect(() => ageInYears(day("2024-01-02"), day("2024-01-01"))).toThrow(/after/);
  });

  it("uses 5-year bands and top-codes ages over 89 as 90+, as HIPAA Safe Harbor requires", () => {
    expect(AGE_BANDS).toHaveLength(19);
    expect(AGE_BANDS[0]).toBe("0-4");
    expect(AGE_BANDS[17]).toBe("85-89");
    expect(ageBand(day("2024-01-01"), day("2024-06-01"))).toBe("0-4");
    expect(ageBand(day("1985-06-15"), day("2024-06-14"))).toBe("35-39");
    expect(ageBand(day("1934-06-15"), day("2024-06-14"))).toBe("85-89");
    expect(ageBand(day("1934-06-14"), day("2024-06-14"))).toBe("90+");
    expect(ageBand(day("1900-01-01"), day("2024-06-14"))).toBe("90+");
  });

  it("places every age in the one band that contains it", () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: 0, max: 54_787 }), (birth, days) => {
        const age = ageInYears(birth, birth + days);
        const band = ageBand(birth, birth + days);
        expect(AGE_BANDS).toContain(band);
        const [low, high] = band === "90+" ? [90, Number.POSITIVE_INFINITY] : band.split("-").map(Number);
        expect(age).toBeGreaterThanOrEqual(low!);
        expect(age).toBeLessThanOrEqual(high!);
      }),
    );
  });

  it("generalizes along one hierarchy: 5-year, 10-year, 20-year bands, then suppressed", () => {
    expect(generalizeAgeBand("35-39", 0)).toBe("35-39");
    expect(generalizeAgeBand("35-39", 1)).toBe("30-39");
    expect(generalizeAgeBand("35-39", 2)).toBe("20-39");
    expect(generalizeAgeBand("35-39", 3)).toBe("*");
    expect(generalizeAgeBand("85-89", 1)).toBe("80-89");
    expect(generalizeAgeBand("85-89", 2)).toBe("80+");
    expect(generalizeAgeBand("90+", 1)).toBe("90+");
    expect(generalizeAgeBand("90+", 2)).toBe("80+");
    expect(generalizeAgeBand("30-39", 2)).toBe("20-39");
  });

  it("never splits a band when generalizing, so suppression counts stay consistent across levels", () => {
    const levels = Array.from({ length: AGE_BAND_LEVELS }, (_, i) => i);
    for (const band of AGE_BANDS) {
      for (const low of levels) {
        for (const high of levels.filter((l) => l >= low)) {
          expect(generalizeAgeBand(generalizeAgeBand(band, low), high)).toBe(generalizeAgeBand(band, high));
        }
      }
    }
    // Bands sharing a coarse band at one level share it at every coarser level.
    for (const a of AGE_BANDS) {
      for (const b of AGE_BANDS) {
        for (const level of levels.slice(0, -1)) {
          if (generalizeAgeBand(a, level) === generalizeAgeBand(b, level)) {
            expect(generalizeAgeBand(a, level + 1)).toBe(generalizeAgeBand(b, level + 1));
          }
        }
      }
    }
  });

  it("refuses bands off the ladder and refinement, because a coarse band cannot be made finer", () => {
    expect(() => generalizeAgeBand("30-39", 0)).toThrow(/cannot refine/);
    expect(() => generalizeAgeBand("80+", 1)).toThrow(/cannot refine/);
    expect(() => generalizeAgeBand("*", 2)).toThrow(/cannot refine/);
    expect(() => generalizeAgeBand("33-37", 1)).toThrow(/not an age band/);
    expect(() => generalizeAgeBand("95+", 1)).toThrow(/not an age band/);
    expect(() => generalizeAgeBand("35-39", 4)).toThrow(/level must be 0..3/);
  });
});
