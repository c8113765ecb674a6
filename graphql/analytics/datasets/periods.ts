/**
 * Release periods: a release covers whole ISO weeks, those whose Thursday (the day that names an
 * ISO week's year) falls in its month, quarter, half-year or year. So weeks never straddle two
 * releases, a release's months nest in it the same way (weeks.ts's hierarchy), and "2026-Q1" runs
 * from Monday 2025-12-29 to Sunday 2026-03-29. Days are IST calendar days as epoch days.
 */
import { fromEpochDay } from "../../../shared/reference/weeks.ts";

export const RELEASE_PERIOD_KINDS = ["MONTH", "QUARTER", "HALF_YEAR", "YEAR"] as const;
export type ReleasePeriodKind = (typeof RELEASE_PERIOD_KINDS)[number];

const MONTHS: Record<ReleasePeriodKind, number> = { MONTH: 1, QUARTER: 3, HALF_YEAR: 6, YEAR: 12 };
const DAY_MS = 86_400_000;
const IST_SECONDS = 19_800;

export interface ReleasePeriod {
  readonly kind: ReleasePeriodKind;
  /** "2026-03", "2026-Q1", "2026-H1" or "2026". */
  readonly label: string;
  readonly year: number;
  /** 0-based index of the period in its year. */
  readonly index: number;
  /** First day (a Monday) and last day (a Sunday), epoch days. */
  readonly start: number;
  readonly end: number;
}

const mod7 = (n: number) => ((n % 7) + 7) % 7;

/** The Thursday of a day's ISO week (1970-01-01, epoch day 0, was a Thursday). */
export const thursdayOf = (day: number): number => day - mod7(day + 3) + 3;

const firstThursdayFrom = (day: number): number => day + mod7(-day);
const monthStart = (year: number, month: number): number => Date.UTC(year, month, 1) / DAY_MS;

function labelOf(kind: ReleasePeriodKind, year: number, index: number): string {
  switch (kind) {
    case "MONTH":
      return `${year}-${String(index + 1).padStart(2, "0")}`;
    case "QUARTER":
      return `${year}-Q${index + 1}`;
    case "HALF_YEAR":
      return `${year}-H${index + 1}`;
    case "YEAR":
      return String(year);
  }
}

export function releasePeriod(kind: ReleasePeriodKind, year: number, index: number): ReleasePeriod {
  const months = MONTHS[kind];
  const first = index * months;
  return {
    kind,
    label: labelOf(kind, year, index),
    year,
    index,
    start: firstThursdayFrom(monthStart(year, first)) - 3,
    end: firstThursdayFrom(monthStart(year, first + months)) - 4,
  };
}

/** The period whose weeks include `day`. */
export function periodContaining(kind: ReleasePeriodKind, day: number): ReleasePeriod {
  const thursday = new Date(thursdayOf(day) * DAY_MS);
  return releasePeriod(kind, thursday.getUTCFullYear(), Math.floor(thursday.getUTCMonth() / MONTHS[kind]));
}

export function nextPeriod(p: ReleasePeriod): ReleasePeriod {
  const perYear = 12 / MONTHS[p.kind];
  return p.index + 1 < perYear
    ? releasePeriod(p.kind, p.year, p.index + 1)
    : releasePeriod(p.kind, p.year + 1, 0);
}

/** Unix seconds at which the period is over: its last day's midnight, IST. */
export const periodClosesAt = (p: ReleasePeriod): number => (p.end + 1) * 86_400 - IST_SECONDS;

export const periodDays = (p: ReleasePeriod): number => p.end - p.start + 1;

export const dayString = (day: number): string => fromEpochDay(day);
