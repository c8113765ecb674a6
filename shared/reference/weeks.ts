/**
 * Epidemiological weeks and age bands. Everything works on calendar dates: an epoch day (days
 * since 1970-01-01, the contract's birthDate unit), a "YYYY-MM-DD" string, or a Date (its UTC
 * date). To date an on-chain timestamp, pick the time zone explicitly with epochDayOf (India's
 * hospitals and IDSP count days in IST).
 *
 * - ISO 8601 weeks (India's IDSP): Monday to Sunday; week 1 holds the year's first Thursday.
 * - CDC MMWR weeks: Sunday to Saturday; week 1 ends on the first Saturday of January at least
 *   four days into the month, i.e. it holds January 4 (the year of a week is its Wednesday's).
 */
import { ValidationError } from "../errors.ts";

export type DateInput = Date | string | number;
export type WeekSystem = "iso" | "mmwr";

export interface EpiWeek {
  /** The epidemiological year, which can differ from the calendar year around January 1. */
  readonly year: number;
  readonly week: number;
  /** First day of the week (Monday for ISO, Sunday for MMWR), "YYYY-MM-DD". */
  readonly start: string;
}

export const IST_OFFSET_MINUTES = 330;
const DAY_MS = 86_400_000;
/** Supported dates, far wider than any clinical one: 1000-01-01 .. 9998-12-31 (weeks stay 4-digit years). */
const MIN_DAY = Date.UTC(1000, 0, 1) / DAY_MS;
const MAX_DAY = Date.UTC(9998, 11, 31) / DAY_MS;

function checkDay(day: number, input: unknown): number {
  if (!Number.isInteger(day) || day < MIN_DAY || day > MAX_DAY) {
    throw new ValidationError(`expected a date between 1000-01-01 and 9998-12-31, got ${String(input)}`, {
      details: { field: "date" },
    });
  }
  return day;
}

/** Days since 1970-01-01 of a date input; throws ValidationError for anything else. */
export function toEpochDay(input: DateInput): number {
  if (typeof input === "number") return checkDay(input, input);
  if (input instanceof Date) return checkDay(Math.floor(input.getTime() / DAY_MS), input);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input);
  if (match !== null) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (year >= 1000 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) {
      return checkDay(date.getTime() / DAY_MS, input);
    }
  }
  throw new ValidationError(
    `expected a calendar date "YYYY-MM-DD" from 1000 to 9998, got "${input.slice(0, 32)}"`,
    {
      details: { field: "date" },
    },
  );
}

const formatDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** "YYYY-MM-DD" of an epoch day. */
export function fromEpochDay(day: number): string {
  return formatDay(checkDay(day, day));
}

/** The local calendar day of a Unix timestamp (seconds) at a UTC offset, e.g. IST_OFFSET_MINUTES. */
export function epochDayOf(unixSeconds: number, utcOffsetMinutes: number): number {
  return checkDay(Math.floor((unixSeconds + utcOffsetMinutes * 60) / 86_400), unixSeconds);
}

const yearOf = (day: number) => new Date(day * DAY_MS).getUTCFullYear();
const januaryFirst = (year: number) => Date.UTC(year, 0, 1) / DAY_MS;
const mod7 = (n: number) => ((n % 7) + 7) % 7;

/** The week's first day and the day whose calendar year names the week (Thursday / Wednesday). */
function weekOf(day: number, system: WeekSystem): EpiWeek {
  // 1970-01-01 was a Thursday: ISO weekday offset 3 (Monday = 0), Sunday-based offset 4.
  const start = day - mod7(day + (system === "iso" ? 3 : 4));
  const anchor = start + 3;
  const year = yearOf(anchor);
  return { year, week: Math.floor((anchor - januaryFirst(year)) / 7) + 1, start: formatDay(start) };
}

/** ISO 8601 week: 2021-01-03 -> 2020-W53 starting 2020-12-28; 2021-01-04 -> 2021-W01. */
export function isoWeek(date: DateInput): EpiWeek {
  return weekOf(toEpochDay(date), "iso");
}

/** CDC MMWR week: 2021-01-02 -> 2020 week 53 starting 2020-12-27; 2024-01-01 -> 2024 week 1. */
export function mmwrWeek(date: DateInput): EpiWeek {
  return weekOf(toEpochDay(date), "mmwr");
}

export function epiWeek(date: DateInput, system: WeekSystem): EpiWeek {
  return weekOf(toEpochDay(date), system);
}

/** First day of the date's week, "YYYY-MM-DD". */
export function weekStart(date: DateInput, system: WeekSystem): string {
  return epiWeek(date, system).start;
}

/** "2020-W53" (ISO) or "2020-53" (MMWR, as CDC tables print it). */
export function formatEpiWeek(week: Pick<EpiWeek, "year" | "week">, system: WeekSystem): string {
  return `${week.year}-${system === "iso" ? "W" : ""}${String(week.week).padStart(2, "0")}`;
}

// ------------------------------------------------------------------ age bands

/** Completed years between two epoch days (a 29 February birthday comes of age on 1 March). */
export function ageInYears(birthDateDays: number, atDateDays: number): number {
  const birth = new Date(checkDay(birthDateDays, birthDateDays) * DAY_MS);
  const at = new Date(checkDay(atDateDays, atDateDays) * DAY_MS);
  if (atDateDays < birthDateDays) {
    throw new ValidationError(
      `birth date ${fromEpochDay(birthDateDays)} is after ${fromEpochDay(atDateDays)}`,
      {
        details: { field: "birthDate" },
      },
    );
  }
  const beforeBirthday =
    at.getUTCMonth() < birth.getUTCMonth() ||
    (at.getUTCMonth() === birth.getUTCMonth() && at.getUTCDate() < birth.getUTCDate());
  return at.getUTCFullYear() - birth.getUTCFullYear() - (beforeBirthday ? 1 : 0);
}

/** The 5-year bands, "0-4" .. "85-89", then "90+" (HIPAA Safe Harbor top-codes ages over 89). */
export const AGE_BANDS = [
  ...Array.from({ length: 18 }, (_, i) => `${i * 5}-${i * 5 + 4}`),
  "90+",
] as readonly string[];

/**
 * Generalization ladder for k-anonymity, one hierarchy (each band sits inside one band of every
 * coarser level): 0 = 5-year bands .. "90+"; 1 = 10-year bands "0-9" .. "80-89", "90+";
 * 2 = 20-year bands "0-19" .. "60-79", "80+"; 3 = "*" (age suppressed).
 */
export const AGE_BAND_LEVELS = 4;

function bandAt(lower: number, level: number): string {
  if (level >= 3) return "*";
  const [width, top] = level === 0 ? [5, 90] : level === 1 ? [10, 90] : [20, 80];
  if (lower >= top) return `${top}+`;
  const from = Math.floor(lower / width) * width;
  return `${from}-${from + width - 1}`;
}

/** The 5-year band of the age at a date: ageBand(birth, at) -> "35-39". */
export function ageBand(birthDateDays: number, atDateDays: number): string {
  return bandAt(ageInYears(birthDateDays, atDateDays), 0);
}

/** The level and lower bound of a band this ladder produced; throws for anything else. */
function parseBand(band: string): { level: number; lower: number } {
  if (band === "*") return { level: 3, lower: 0 };
  const match = /^(\d+)(?:-(\d+)|\+)$/.exec(band);
  if (match !== null) {
    const lower = Number(match[1]);
    for (let level = 0; level < 3; level++) if (bandAt(lower, level) === band) return { level, lower };
  }
  throw new ValidationError(`"${band.slice(0, 16)}" is not an age band of the generalization ladder`, {
    details: { field: "ageBand" },
  });
}

/** Coarsens a band to a level of the ladder: ("35-39", 1) -> "30-39"; ("90+", 2) -> "80+". */
export function generalizeAgeBand(band: string, level: number): string {
  if (!Number.isInteger(level) || level < 0 || level >= AGE_BAND_LEVELS) {
    throw new ValidationError(`age band level must be 0..${AGE_BAND_LEVELS - 1}, got ${level}`, {
      details: { field: "level" },
    });
  }
  const parsed = parseBand(band);
  if (level < parsed.level) {
    throw new ValidationError(`cannot refine "${band}" (level ${parsed.level}) to level ${level}`, {
      details: { field: "level" },
    });
  }
  return bandAt(parsed.lower, level);
}
