/**
 * A dataset's definition: what it covers and how fine it may be. Canonical (lists sorted and
 * deduplicated, defaults filled) so that it is stored once and a rebuild with the same definition
 * and dataset id reproduces the same rows from the same indexed data.
 */
import { ValidationError } from "../../../shared/errors.ts";
import { MIN_K } from "../disclosure/policy.ts";
import { LIMITS } from "../limits.ts";
import { parseDayRange } from "../selection/date-range.ts";
import { compileDiagnosisFilter, type DiagnosisFilterInput } from "../selection/diagnosis.ts";
import { compileRegionFilter, type RegionFilterInput } from "../selection/region.ts";
import type { Levels } from "./hierarchies.ts";

export const AGE_GRANULARITIES = ["AGE_5_YEARS", "AGE_10_YEARS", "AGE_20_YEARS"] as const;
export const REGION_GRANULARITIES = ["DISTRICT", "STATE"] as const;
export const PERIOD_GRANULARITIES = ["WEEK", "MONTH", "QUARTER", "YEAR"] as const;
export const DIAGNOSIS_GRANULARITIES = ["CODE", "CATEGORY"] as const;

export interface DatasetInput {
  from: string;
  to: string;
  diagnosis?: DiagnosisFilterInput | null;
  region?: RegionFilterInput | null;
  diagnosisGranularity?: (typeof DIAGNOSIS_GRANULARITIES)[number] | null;
  ageGranularity?: (typeof AGE_GRANULARITIES)[number] | null;
  regionGranularity?: (typeof REGION_GRANULARITIES)[number] | null;
  periodGranularity?: (typeof PERIOD_GRANULARITIES)[number] | null;
  k?: number | null;
  maxSuppressionPercent?: number | null;
}

export interface DatasetParams {
  readonly from: string;
  readonly to: string;
  readonly diagnosis: {
    readonly codes: string[];
    readonly categories: string[];
    readonly chapters: number[];
    readonly groups: string[];
  } | null;
  readonly region: { readonly states: number[]; readonly districts: number[] } | null;
  readonly diagnosisGranularity: (typeof DIAGNOSIS_GRANULARITIES)[number];
  readonly ageGranularity: (typeof AGE_GRANULARITIES)[number];
  readonly regionGranularity: (typeof REGION_GRANULARITIES)[number];
  readonly periodGranularity: (typeof PERIOD_GRANULARITIES)[number];
  readonly k: number;
  readonly maxSuppressionPercent: number;
}

export const MAX_K = 1_000;
export const MAX_SUPPRESSION_PERCENT = 20;
export const DEFAULT_SUPPRESSION_PERCENT = 5;

const sortedUnique = <T extends string | number>(list: readonly T[] | null | undefined): T[] =>
  [...new Set(list ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export function canonicalParams(input: DatasetInput): DatasetParams {
  const range = parseDayRange(input.from, input.to, LIMITS.maxRangeDays);
  const k = input.k ?? MIN_K;
  if (!Number.isInteger(k) || k < MIN_K || k > MAX_K) {
    throw new ValidationError(`k must be an integer from ${MIN_K} to ${MAX_K}, got ${k}`, {
      details: { field: "k" },
    });
  }
  const maxSuppressionPercent = input.maxSuppressionPercent ?? DEFAULT_SUPPRESSION_PERCENT;
  if (
    !Number.isFinite(maxSuppressionPercent) ||
    maxSuppressionPercent < 0 ||
    maxSuppressionPercent > MAX_SUPPRESSION_PERCENT
  ) {
    throw new ValidationError(`maxSuppressionPercent must be 0..${MAX_SUPPRESSION_PERCENT}`, {
      details: { field: "maxSuppressionPercent" },
    });
  }
  // Validates the filters (and normalizes their codes) the way queries will use them.
  const selection = compileDiagnosisFilter(input.diagnosis);
  const region = compileRegionFilter(input.region);
  const d = input.diagnosis;
  return {
    from: range.from,
    to: range.to,
    diagnosis: selection
      ? {
          codes: sortedUnique((d?.codes ?? []).map((c) => c.trim().toUpperCase())),
          categories: sortedUnique((d?.categories ?? []).map((c) => c.trim().toUpperCase())),
          chapters: sortedUnique(d?.chapters),
          groups: sortedUnique(d?.groups),
        }
      : null,
    region: region ? { states: [...region.states], districts: [...region.districts] } : null,
    diagnosisGranularity: input.diagnosisGranularity ?? "CATEGORY",
    ageGranularity: input.ageGranularity ?? "AGE_5_YEARS",
    regionGranularity: input.regionGranularity ?? "DISTRICT",
    periodGranularity: input.periodGranularity ?? "WEEK",
    k,
    maxSuppressionPercent,
  };
}

/** The finest level of each quasi-identifier (age, sex, region, period) the definition allows. */
export function minLevelsOf(p: DatasetParams): Levels {
  return [
    AGE_GRANULARITIES.indexOf(p.ageGranularity),
    0,
    REGION_GRANULARITIES.indexOf(p.regionGranularity),
    PERIOD_GRANULARITIES.indexOf(p.periodGranularity),
  ];
}
