/**
 * The quasi-identifiers of a de-identified dataset and their generalization hierarchies, each a
 * tree (every value sits inside exactly one value of each coarser level):
 *
 *   age     0: 5-year band ("35-39", "90+")  1: 10-year  2: 20-year ("80+")  3: "*"
 *   sex     0: the value                     1: "*"
 *   region  0: district (state for districts under 20,000 people or of unknown population, as
 *              HIPAA Safe Harbor does with small areas)  1: state  2: "*" (national)
 *   period  0: ISO week  1: month  2: "*" (the release's whole period)
 *
 * Weeks nest in months through their Thursday (the day that names an ISO week's year), so a week
 * belongs to one month and one release (periods.ts): "2025-W01" (Mon 2024-12-30) is January 2025.
 *
 * Information loss per value is Iyengar's loss metric: (leaves covered - 1) / (domain - 1), in
 * 5-year bands, districts and sexes; periods count the days covered beyond a week, out of the
 * release's. So 0 is every quasi-identifier at its finest (5-year band, sex, district, week) and
 * 1 is "*".
 *
 * The diagnosis is the sensitive attribute, released per class as its ICD-10 category, or as its
 * chapter ("A00-B99") where the category is too rare in the class (release-rules in cut-release.ts).
 */

import { ICD10_CHAPTERS } from "../../../shared/reference/icd10.ts";
import { DISTRICTS, getDistrict } from "../../../shared/reference/regions.ts";
import { AGE_BANDS, generalizeAgeBand } from "../../../shared/reference/weeks.ts";
import { MIN_DISTRICT_POPULATION } from "../disclosure/policy.ts";

export const QI_NAMES = ["age", "sex", "region", "period"] as const;
export type QiName = (typeof QI_NAMES)[number];
export type Levels = readonly [age: number, sex: number, region: number, period: number];

/** Levels per QI, from 0 (finest) to the top ("*"). */
export const LEVEL_COUNTS: Levels = [4, 2, 3, 3];

export const AGE_LEVEL_NAMES = ["5_YEARS", "10_YEARS", "20_YEARS", "SUPPRESSED"] as const;
export const SEX_LEVEL_NAMES = ["SEX", "SUPPRESSED"] as const;
export const REGION_LEVEL_NAMES = ["DISTRICT", "STATE", "NATIONAL"] as const;
export const PERIOD_LEVEL_NAMES = ["WEEK", "MONTH", "RELEASE"] as const;

export const ANY = "*";
const DAY_MS = 86_400_000;

/** One combination of base QI values and diagnosis, and how many rows have it. */
export interface QiClass {
  readonly ageBand: string;
  readonly sex: string;
  readonly stateCode: number;
  /** Null when the district is too small to release (the region starts at the state). */
  readonly districtCode: number | null;
  /** Epoch day: the ISO week's Thursday. */
  readonly anchorDay: number;
  /** ICD-10 category, "" for a treatment without a diagnosis. */
  readonly diagnosis: string;
  /** ICD-10 chapter number of the category, 0 when outside every chapter (or no diagnosis). */
  readonly chapter: number;
  readonly rows: number;
}

/** Whether a district may be released as such (population known and at least 20,000). */
export function isReleasableDistrict(districtCode: number): boolean {
  const population = getDistrict(districtCode)?.population2011 ?? null;
  return population !== null && population >= MIN_DISTRICT_POPULATION;
}

export function ageAt(band: string, level: number): string {
  return generalizeAgeBand(band, level);
}

export const sexAt = (sex: string, level: number): string => (level === 0 ? sex : ANY);

export interface RegionValue {
  readonly stateCode: number | null;
  readonly districtCode: number | null;
}

export function regionAt(c: Pick<QiClass, "stateCode" | "districtCode">, level: number): RegionValue {
  if (level >= 2) return { stateCode: null, districtCode: null };
  if (level === 1 || c.districtCode === null) return { stateCode: c.stateCode, districtCode: null };
  return { stateCode: c.stateCode, districtCode: c.districtCode };
}

function isoWeekLabel(thursday: number): string {
  const date = new Date(thursday * DAY_MS);
  const year = date.getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1) / DAY_MS) / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The period label of a week (its Thursday) at a level: "2025-W01", "2025-01" or "*". */
export function periodAt(anchorDay: number, level: number): string {
  if (level >= 2) return ANY;
  if (level === 0) return isoWeekLabel(anchorDay);
  const date = new Date(anchorDay * DAY_MS);
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** "A00-B99": how a diagnosis released at chapter level reads. */
export function chapterLabel(chapter: number): string | null {
  const c = ICD10_CHAPTERS.find((x) => x.number === chapter);
  return c ? `${c.first}-${c.last}` : null;
}

// ------------------------------------------------------------------ loss metric

const ageCover = new Map<string, number>();
for (let level = 0; level < LEVEL_COUNTS[0]; level++) {
  for (const band of AGE_BANDS) {
    const g = generalizeAgeBand(band, level);
    ageCover.set(`${level}|${g}`, (ageCover.get(`${level}|${g}`) ?? 0) + 1);
  }
}

const districtsPerState = new Map<number, number>();
for (const d of DISTRICTS) districtsPerState.set(d.stateCode, (districtsPerState.get(d.stateCode) ?? 0) + 1);

const lm = (covered: number, domain: number) => (domain <= 1 ? 0 : Math.min(1, (covered - 1) / (domain - 1)));

export function ageLoss(band: string, level: number): number {
  return lm(ageCover.get(`${level}|${ageAt(band, level)}`) ?? AGE_BANDS.length, AGE_BANDS.length);
}

export const sexLoss = (level: number): number => (level === 0 ? 0 : 1);

export function regionLoss(c: Pick<QiClass, "stateCode" | "districtCode">, level: number): number {
  const value = regionAt(c, level);
  if (value.stateCode === null) return 1;
  if (value.districtCode !== null) return 0;
  return lm(districtsPerState.get(value.stateCode) ?? 1, DISTRICTS.length);
}

/** Days of the weeks whose Thursday falls in the Thursday's month (28 or 35). */
function monthDays(anchorDay: number): number {
  const date = new Date(anchorDay * DAY_MS);
  const first = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / DAY_MS;
  const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / DAY_MS;
  let thursdays = 0;
  for (let d = first; d < next; d++) if (((d % 7) + 7) % 7 === 0) thursdays++;
  return thursdays * 7;
}

/** Loss of a period value, counted in days beyond a week; `releaseDays` is the release's length. */
export function periodLoss(anchorDay: number, level: number, releaseDays: number): number {
  if (level >= 2) return 1;
  if (level === 0 || releaseDays <= 7) return 0;
  return Math.max(0, Math.min(1, (Math.min(monthDays(anchorDay), releaseDays) - 7) / (releaseDays - 7)));
}
