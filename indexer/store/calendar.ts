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

// Two slots: a vital alternates between its block's time and its own measurement time.
let seconds0 = Number.NaN;
let iso0 = "";
let seconds1 = Number.NaN;
let iso1 = "";

/** ISO timestamp of unix seconds, for COPY (memoized: events of one block share their time). */
export function isoTime(unixSeconds: number): string {
  if (unixSeconds === seconds0) return iso0;
  if (unixSeconds === seconds1) return iso1;
  seconds1 = seconds0;
  iso1 = iso0;
  seconds0 = unixSeconds;
  iso0 = new Date(unixSeconds * 1000).toISOString();
  return iso0;
}
