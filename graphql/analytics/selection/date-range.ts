/** Inclusive ranges of reporting days (IST calendar dates, "YYYY-MM-DD"). */
import { ValidationError } from "../../../shared/errors.ts";
import { fromEpochDay, toEpochDay, type WeekSystem, weekStart } from "../../../shared/reference/weeks.ts";

export interface DayRange {
  readonly from: string;
  readonly to: string;
  /** Days in the range, both ends included. */
  readonly days: number;
}

export function parseDayRange(from: string, to: string, maxDays: number): DayRange {
  const a = toEpochDay(from);
  const b = toEpochDay(to);
  if (b < a)
    throw new ValidationError(`the range ends (${to}) before it starts (${from})`, {
      details: { field: "to" },
    });
  if (b - a + 1 > maxDays) {
    throw new ValidationError(`the range spans ${b - a + 1} days; at most ${maxDays}`, {
      details: { field: "to" },
    });
  }
  return { from: fromEpochDay(a), to: fromEpochDay(b), days: b - a + 1 };
}

/** Widens a range to whole weeks: from the first day of `from`'s week to the last day of `to`'s. */
export function snapToWeeks(range: DayRange, system: WeekSystem): DayRange {
  const a = toEpochDay(weekStart(range.from, system));
  const b = toEpochDay(weekStart(range.to, system)) + 6;
  return { from: fromEpochDay(a), to: fromEpochDay(b), days: b - a + 1 };
}
