/**
 * The publication calendar: a deployment counts cases in one week system (ISO/IDSP by default,
 * MMWR by setting, never both), and time nodes form one hierarchy:
 *
 *   week  ⊂  4-week period  ⊂  epidemiological year
 *
 * Periods are weeks 1-4, 5-8, ... 45-48 and 49 to the year's last week (49-52, or 49-53 in a
 * 53-week year): 13 periods, unions of whole weeks, never calendar months.
 *
 * A week is due for publication once it has closed (its last IST day is over) plus a lag, so
 * that diagnoses recorded in the days after a visit are in the first and only version.
 */
import {
  epiWeek,
  formatEpiWeek,
  fromEpochDay,
  toEpochDay,
  type WeekSystem,
} from "../../../shared/reference/weeks.ts";

export type TimeLevel = "WEEK" | "PERIOD" | "YEAR";
export const TIME_LEVELS: readonly TimeLevel[] = ["WEEK", "PERIOD", "YEAR"];
export const PERIODS_PER_YEAR = 13;

export interface TimeNode {
  readonly level: TimeLevel;
  /** 2024-W05 / 2024-05 (MMWR), 2024-P02, 2024. */
  readonly label: string;
  readonly year: number;
  /** Week number, period number, or 0 for a year. */
  readonly index: number;
  /** First and last IST day, inclusive, "YYYY-MM-DD". */
  readonly firstDay: string;
  readonly lastDay: string;
}

const SYSTEM_OF = { ISO: "iso", MMWR: "mmwr" } as const;
export type PublicationSystem = keyof typeof SYSTEM_OF;
export const weekSystemOf = (system: PublicationSystem): WeekSystem => SYSTEM_OF[system];

/** The first day of week 1 of an epidemiological year. */
function yearStart(year: number, system: PublicationSystem): number {
  // January 4 is always in week 1, in both systems.
  const jan4 = toEpochDay(`${String(year).padStart(4, "0")}-01-04`);
  return toEpochDay(epiWeek(jan4, weekSystemOf(system)).start);
}

export function weeksInYear(year: number, system: PublicationSystem): number {
  return (yearStart(year + 1, system) - yearStart(year, system)) / 7;
}

export const periodOfWeek = (week: number): number => Math.min(PERIODS_PER_YEAR, Math.ceil(week / 4));

/** The week that holds `day`. */
export function weekNode(day: string | number, system: PublicationSystem): TimeNode {
  const w = epiWeek(day, weekSystemOf(system));
  const first = toEpochDay(w.start);
  return {
    level: "WEEK",
    label: formatEpiWeek(w, weekSystemOf(system)),
    year: w.year,
    index: w.week,
    firstDay: w.start,
    lastDay: fromEpochDay(first + 6),
  };
}

export function periodNode(year: number, period: number, system: PublicationSystem): TimeNode {
  const start = yearStart(year, system);
  const firstWeek = (period - 1) * 4 + 1;
  const lastWeek = period === PERIODS_PER_YEAR ? weeksInYear(year, system) : firstWeek + 3;
  return {
    level: "PERIOD",
    label: `${year}-P${String(period).padStart(2, "0")}`,
    year,
    index: period,
    firstDay: fromEpochDay(start + (firstWeek - 1) * 7),
    lastDay: fromEpochDay(start + lastWeek * 7 - 1),
  };
}

export function yearNode(year: number, system: PublicationSystem): TimeNode {
  return {
    level: "YEAR",
    label: String(year),
    year,
    index: 0,
    firstDay: fromEpochDay(yearStart(year, system)),
    lastDay: fromEpochDay(yearStart(year + 1, system) - 1),
  };
}

/** The node of `level` that holds `day`. */
export function nodeOf(level: TimeLevel, day: string | number, system: PublicationSystem): TimeNode {
  const week = weekNode(day, system);
  if (level === "WEEK") return week;
  if (level === "PERIOD") return periodNode(week.year, periodOfWeek(week.index), system);
  return yearNode(week.year, system);
}

/** Every node of `level` whose first day lies in from..to (inclusive). */
export function nodesStartingIn(
  level: TimeLevel,
  from: string,
  to: string,
  system: PublicationSystem,
): TimeNode[] {
  const out: TimeNode[] = [];
  const last = toEpochDay(to);
  let node = nodeOf(level, from, system);
  if (toEpochDay(node.firstDay) < toEpochDay(from))
    node = nodeOf(level, toEpochDay(node.lastDay) + 1, system);
  while (toEpochDay(node.firstDay) <= last) {
    out.push(node);
    node = nodeOf(level, toEpochDay(node.lastDay) + 1, system);
  }
  return out;
}

/** The weeks of a period or year (a week: itself). */
export function weeksOf(node: TimeNode, system: PublicationSystem): TimeNode[] {
  return nodesStartingIn("WEEK", node.firstDay, node.lastDay, system);
}

/** The coarser nodes a week completes: its period when it is the period's last week, its year likewise. */
export function nodesClosedBy(week: TimeNode, system: PublicationSystem): TimeNode[] {
  const out: TimeNode[] = [];
  const period = nodeOf("PERIOD", week.firstDay, system);
  if (period.lastDay === week.lastDay) out.push(period);
  const year = nodeOf("YEAR", week.firstDay, system);
  if (year.lastDay === week.lastDay) out.push(year);
  return out;
}

/**
 * When a week may be published: the instant its last IST day ends, plus `lagDays`. IST days end
 * at 18:30 UTC.
 */
export function dueAt(week: TimeNode, lagDays: number): Date {
  const endUtcMs = (toEpochDay(week.lastDay) + 1) * 86_400_000 - 330 * 60_000;
  return new Date(endUtcMs + lagDays * 86_400_000);
}

/** Parses a label of any level ("2024-W05", "2024-05", "2024-P02", "2024"). */
export function parseTimeLabel(label: string, system: PublicationSystem): TimeNode | null {
  const year = /^(\d{4})$/.exec(label);
  if (year) return yearNode(Number(year[1]), system);
  const period = /^(\d{4})-P(\d{2})$/.exec(label);
  if (period) {
    const p = Number(period[2]);
    return p >= 1 && p <= PERIODS_PER_YEAR ? periodNode(Number(period[1]), p, system) : null;
  }
  const week = (system === "ISO" ? /^(\d{4})-W(\d{2})$/ : /^(\d{4})-(\d{2})$/).exec(label);
  if (!week) return null;
  const [y, w] = [Number(week[1]), Number(week[2])];
  if (w < 1 || w > weeksInYear(y, system)) return null;
  return weekNode(yearStart(y, system) + (w - 1) * 7, system);
}
