/**
 * Calendar helpers for derived rows. Public-health days are Indian Standard Time days
 * (UTC+05:30, one time zone for the whole country): a case admitted at 23:00 IST counts on
 * that day, not on the next UTC day.
 */
import { epochDayOf, fromEpochDay, IST_OFFSET_MINUTES } from "../../shared/reference/weeks.ts";

/** Days since 1970-01-01 of the reporting (IST) day containing `unixSeconds`. */
export const reportingDay = (unixSeconds: number): number => epochDayOf(unixSeconds, IST_OFFSET_MINUTES);

/** "YYYY-MM-DD" of a day number. */
export const dayToDate = fromEpochDay;

let lastSeconds = Number.NaN;
let lastIso = "";

/** ISO timestamp of unix seconds, for COPY (memoized: events of one block share their time). */
export function isoTime(unixSeconds: number): string {
  if (unixSeconds !== lastSeconds) {
    lastSeconds = unixSeconds;
    lastIso = new Date(unixSeconds * 1000).toISOString();
  }
  return lastIso;
}
