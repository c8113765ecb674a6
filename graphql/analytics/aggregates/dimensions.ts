/**
 * The group-by dimensions of case-count tables: how each is read from case_count_daily, its leaf
 * node (nodes.ts) and, for noisy releases, its public domain. At most one dimension per family;
 * tables always list them in family order (diagnosis, region, week, age, sex, hospital).
 */
import { ValidationError } from "../../../shared/errors.ts";
import { SEXES } from "../../../shared/reference/enums.ts";
import { ICD10_CHAPTERS } from "../../../shared/reference/icd10.ts";
import { DISTRICTS, districtsOf, getDistrict, STATES } from "../../../shared/reference/regions.ts";
import { AGE_BANDS, fromEpochDay, generalizeAgeBand, toEpochDay } from "../../../shared/reference/weeks.ts";
import type { DiagnosisSelection } from "../selection/diagnosis.ts";
import { categoriesTouched } from "../selection/diagnosis.ts";
import type { RegionSelection } from "../selection/region.ts";
import { chapterOfCategory, node } from "./nodes.ts";

export const CASE_DIMENSIONS = [
  "DIAGNOSIS_CODE",
  "DIAGNOSIS_CATEGORY",
  "DIAGNOSIS_CHAPTER",
  "DIAGNOSIS_GROUP",
  "STATE",
  "DISTRICT",
  "ISO_WEEK",
  "MMWR_WEEK",
  "AGE_BAND_5",
  "AGE_BAND_10",
  "AGE_BAND_20",
  "SEX",
  "HOSPITAL",
] as const;
export type CaseDimension = (typeof CASE_DIMENSIONS)[number];

export const FAMILIES = ["diagnosis", "region", "week", "age", "sex", "hospital"] as const;
export type Family = (typeof FAMILIES)[number];

export type Row = Readonly<Record<string, unknown>>;

interface DimensionDef {
  readonly family: Family;
  /** SELECT expressions, each `expr AS alias`; `group` is the CASE expression for surveillance groups. */
  readonly select: (group: string) => readonly string[];
  readonly leaf: (row: Row) => string;
}

const str = (v: unknown) => String(v);

/** First day of the week of `day` (a date column): ISO Monday, MMWR Sunday. */
export const WEEK_START_DATE_SQL = {
  ISO_WEEK: "date_trunc('week', day::timestamp)::date",
  MMWR_WEEK: "(day - extract(dow FROM day)::int)",
} as const;

export const WEEK_START_SQL = {
  ISO_WEEK: `to_char(${WEEK_START_DATE_SQL.ISO_WEEK}, 'YYYY-MM-DD')`,
  MMWR_WEEK: `to_char(${WEEK_START_DATE_SQL.MMWR_WEEK}, 'YYYY-MM-DD')`,
} as const;

export const DIMENSION_DEFS: Readonly<Record<CaseDimension, DimensionDef>> = {
  DIAGNOSIS_CODE: {
    family: "diagnosis",
    select: () => ["diagnosis AS d_code"],
    leaf: (r) => node("CODE", str(r.d_code)),
  },
  DIAGNOSIS_CATEGORY: {
    family: "diagnosis",
    select: () => ["diagnosis_category AS d_cat"],
    leaf: (r) => node("CATEGORY", str(r.d_cat)),
  },
  DIAGNOSIS_CHAPTER: {
    family: "diagnosis",
    select: () => ["diagnosis_chapter AS d_chap"],
    leaf: (r) => node("CHAPTER", str(r.d_chap)),
  },
  DIAGNOSIS_GROUP: {
    family: "diagnosis",
    select: (group) => [`${group} AS d_group`],
    leaf: (r) => node("GROUP", str(r.d_group)),
  },
  STATE: {
    family: "region",
    select: () => ["state_code AS r_state"],
    leaf: (r) => node("STATE", str(r.r_state)),
  },
  DISTRICT: {
    family: "region",
    select: () => ["state_code AS r_state", "district_code AS r_district"],
    leaf: (r) => node("DISTRICT", str(r.r_state), str(r.r_district)),
  },
  ISO_WEEK: {
    family: "week",
    select: () => [`${WEEK_START_SQL.ISO_WEEK} AS w_start`],
    leaf: (r) => node("ISO_WEEK", str(r.w_start)),
  },
  MMWR_WEEK: {
    family: "week",
    select: () => [`${WEEK_START_SQL.MMWR_WEEK} AS w_start`],
    leaf: (r) => node("MMWR_WEEK", str(r.w_start)),
  },
  AGE_BAND_5: {
    family: "age",
    select: () => ["age_band AS a_band"],
    leaf: (r) => node("AGE_5", str(r.a_band)),
  },
  AGE_BAND_10: {
    family: "age",
    select: () => ["age_band AS a_band"],
    leaf: (r) => node("AGE_10", generalizeAgeBand(str(r.a_band), 1)),
  },
  AGE_BAND_20: {
    family: "age",
    select: () => ["age_band AS a_band"],
    leaf: (r) => node("AGE_20", generalizeAgeBand(str(r.a_band), 2)),
  },
  SEX: { family: "sex", select: () => ["sex::text AS s_sex"], leaf: (r) => node("SEX", str(r.s_sex)) },
  HOSPITAL: {
    family: "hospital",
    select: () => ["hospital_id AS h_id"],
    leaf: (r) => node("HOSPITAL", str(r.h_id)),
  },
};

export const MAX_DIMENSIONS = 4;

/** Checks the group-by list (one per family, at most MAX_DIMENSIONS) and puts it in family order. */
export function canonicalDimensions(input: readonly string[]): CaseDimension[] {
  const dims = [...new Set(input)];
  for (const d of dims) {
    if (!(CASE_DIMENSIONS as readonly string[]).includes(d)) {
      throw new ValidationError(`unknown dimension ${d.slice(0, 32)}`, { details: { field: "groupBy" } });
    }
  }
  if (dims.length > MAX_DIMENSIONS) {
    throw new ValidationError(`group by at most ${MAX_DIMENSIONS} dimensions, got ${dims.length}`, {
      details: { field: "groupBy" },
    });
  }
  const typed = dims as CaseDimension[];
  for (const family of FAMILIES) {
    const same = typed.filter((d) => DIMENSION_DEFS[d].family === family);
    if (same.length > 1) {
      throw new ValidationError(`group by one ${family} dimension at a time, got ${same.join(" and ")}`, {
        details: { field: "groupBy" },
      });
    }
  }
  return typed.sort(
    (a, b) => FAMILIES.indexOf(DIMENSION_DEFS[a].family) - FAMILIES.indexOf(DIMENSION_DEFS[b].family),
  );
}

// ------------------------------------------------------------------ public domains (noisy releases)

export interface DomainContext {
  readonly from: string;
  readonly to: string;
  readonly diagnosis: DiagnosisSelection | null;
  readonly groups: readonly string[];
  readonly region: RegionSelection | null;
  readonly hospitalIds: readonly number[];
}

function weekStarts(from: string, to: string): string[] {
  const out: string[] = [];
  for (let day = toEpochDay(from); day <= toEpochDay(to); day += 7) out.push(fromEpochDay(day));
  return out;
}

function regionStates(r: RegionSelection | null): number[] {
  if (!r) return STATES.map((s) => s.code);
  const states = new Set(r.states);
  for (const d of r.districts) states.add(getDistrict(d)!.stateCode);
  return [...states].sort((a, b) => a - b);
}

function regionDistricts(r: RegionSelection | null): { state: number; district: number }[] {
  const list = r
    ? [...r.states.flatMap((s) => districtsOf(s)), ...r.districts.map((d) => getDistrict(d)!)]
    : [...DISTRICTS];
  const seen = new Set<number>();
  return list
    .filter((d) => !seen.has(d.code) && seen.add(d.code))
    .map((d) => ({ state: d.stateCode, district: d.code }));
}

/** Every leaf the dimension can take under the filters (week starts must be snapped already). */
export function domainOf(dim: CaseDimension, ctx: DomainContext): string[] {
  switch (dim) {
    case "DIAGNOSIS_CODE":
      throw new ValidationError(
        "a noisy release needs a known list of possible cells, which ICD-10 codes do not have: group by category with a diagnosis filter instead",
        { details: { field: "groupBy" } },
      );
    case "DIAGNOSIS_CATEGORY": {
      if (!ctx.diagnosis) {
        throw new ValidationError(
          "a noisy release by category needs a diagnosis filter (categories, chapters or groups)",
          {
            details: { field: "diagnosis" },
          },
        );
      }
      return categoriesTouched(ctx.diagnosis).map((c) => node("CATEGORY", c));
    }
    case "DIAGNOSIS_CHAPTER": {
      const chapters = ctx.diagnosis
        ? new Set([...ctx.diagnosis.chapters, ...categoriesTouched(ctx.diagnosis).map(chapterOfCategory)])
        : new Set([0, ...ICD10_CHAPTERS.map((c) => c.number)]);
      return [...chapters].sort((a, b) => a - b).map((c) => node("CHAPTER", c));
    }
    case "DIAGNOSIS_GROUP":
      return ctx.groups.map((g) => node("GROUP", g));
    case "STATE":
      return regionStates(ctx.region).map((s) => node("STATE", s));
    case "DISTRICT":
      return regionDistricts(ctx.region).map((d) => node("DISTRICT", d.state, d.district));
    case "ISO_WEEK":
    case "MMWR_WEEK":
      return weekStarts(ctx.from, ctx.to).map((w) => node(dim, w));
    case "AGE_BAND_5":
      return AGE_BANDS.map((b) => node("AGE_5", b));
    case "AGE_BAND_10":
      return [...new Set(AGE_BANDS.map((b) => generalizeAgeBand(b, 1)))].map((b) => node("AGE_10", b));
    case "AGE_BAND_20":
      return [...new Set(AGE_BANDS.map((b) => generalizeAgeBand(b, 2)))].map((b) => node("AGE_20", b));
    case "SEX":
      return SEXES.map((s) => node("SEX", s));
    case "HOSPITAL":
      return ctx.hospitalIds.map((h) => node("HOSPITAL", h));
  }
}
