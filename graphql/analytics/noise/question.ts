/**
 * A noisy question in canonical form: what is counted (days, diagnoses, regions), how it is split
 * (group-by dimensions) and at which epsilon. Two questions that ask the same thing, however
 * they are spelled (order of codes, duplicates, a category also named by its group), have the
 * same canonical form and the same key, so they get the same stored answer.
 */
import { createHash } from "node:crypto";
import { ValidationError } from "../../../shared/errors.ts";
import { SEXES } from "../../../shared/reference/enums.ts";
import { DISTRICTS, districtsOf, getDistrict, STATES } from "../../../shared/reference/regions.ts";
import { AGE_BANDS, fromEpochDay, generalizeAgeBand, toEpochDay } from "../../../shared/reference/weeks.ts";
import { LIMITS } from "../limits.ts";
import { type PublicationSystem, weekNode } from "../publications/calendar.ts";
import { chapterOf } from "../publications/lattice.ts";
import { parseDayRange } from "../selection/date-range.ts";
import {
  categoriesTouched,
  compileDiagnosisFilter,
  type DiagnosisFilterInput,
  type DiagnosisSelection,
} from "../selection/diagnosis.ts";
import { compileRegionFilter, type RegionFilterInput, type RegionSelection } from "../selection/region.ts";

export const NOISY_DIMENSIONS = [
  "WEEK",
  "STATE",
  "DISTRICT",
  "DIAGNOSIS_CATEGORY",
  "DIAGNOSIS_CHAPTER",
  "AGE_BAND_5",
  "AGE_BAND_20",
  "SEX",
] as const;
export type NoisyDimension = (typeof NOISY_DIMENSIONS)[number];

export interface NoisyQuestionInput {
  from: string;
  to: string;
  diagnosis?: DiagnosisFilterInput | null;
  region?: RegionFilterInput | null;
  groupBy?: readonly string[] | null;
  epsilon: number;
}

export interface NoisyQuestion {
  readonly from: string;
  readonly to: string;
  readonly diagnosis: { categories: string[]; chapters: number[]; prefixes: string[] } | null;
  readonly region: { states: number[]; districts: number[] } | null;
  readonly groupBy: NoisyDimension[];
  /** Thousandths (an exact fraction for the sampler). */
  readonly epsilonMilli: number;
}

/** Per-question epsilon bounds, in thousandths. */
export const MIN_QUESTION_EPSILON_MILLI = 50;
export const MAX_QUESTION_EPSILON_MILLI = 600;

function parseEpsilonMilli(value: number): number {
  const milli = Math.round(value * 1000);
  if (!Number.isFinite(value) || Math.abs(value * 1000 - milli) > 1e-6) {
    throw new ValidationError(`epsilon must be a multiple of 0.001, got ${value}`, {
      details: { field: "epsilon" },
    });
  }
  if (milli < MIN_QUESTION_EPSILON_MILLI || milli > MAX_QUESTION_EPSILON_MILLI) {
    throw new ValidationError(
      `epsilon must be between ${MIN_QUESTION_EPSILON_MILLI / 1000} and ${MAX_QUESTION_EPSILON_MILLI / 1000}, got ${value}`,
      { details: { field: "epsilon" } },
    );
  }
  return milli;
}

const sorted = <T>(xs: Iterable<T>) => [...new Set(xs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Canonical form; `today` is the current IST day: only complete days can be asked about. */
export function canonicalQuestion(input: NoisyQuestionInput, today: string): NoisyQuestion {
  const range = parseDayRange(input.from, input.to, LIMITS.maxRangeDays);
  const a = toEpochDay(range.from);
  const b = toEpochDay(range.to);
  if (b >= toEpochDay(today)) {
    throw new ValidationError(
      `noisy answers cover complete days only: the range must end by ${fromEpochDay(toEpochDay(today) - 1)}`,
      {
        details: { field: "to" },
      },
    );
  }
  const groupBy = sorted(input.groupBy ?? []);
  for (const d of groupBy) {
    if (!(NOISY_DIMENSIONS as readonly string[]).includes(d)) {
      throw new ValidationError(`unknown dimension ${d.slice(0, 32)}`, { details: { field: "groupBy" } });
    }
  }
  const families = groupBy.map((d) =>
    d.startsWith("DIAGNOSIS")
      ? "diagnosis"
      : d.startsWith("AGE")
        ? "age"
        : d === "DISTRICT" || d === "STATE"
          ? "region"
          : d,
  );
  if (new Set(families).size !== families.length) {
    throw new ValidationError("group by one dimension per family (diagnosis, region, age)", {
      details: { field: "groupBy" },
    });
  }
  const d: DiagnosisSelection | null = compileDiagnosisFilter(input.diagnosis);
  const r: RegionSelection | null = compileRegionFilter(input.region);
  // A district whose state is selected adds nothing.
  const region = r
    ? {
        states: sorted(r.states),
        districts: sorted(r.districts.filter((x) => !r.states.includes(getDistrict(x)!.stateCode))),
      }
    : null;
  return {
    from: fromEpochDay(a),
    to: fromEpochDay(b),
    diagnosis: d
      ? { categories: sorted(d.categories), chapters: sorted(d.chapters), prefixes: sorted(d.prefixes) }
      : null,
    region,
    groupBy: groupBy as NoisyDimension[],
    epsilonMilli: parseEpsilonMilli(input.epsilon),
  };
}

export const questionKey = (q: NoisyQuestion): string =>
  createHash("sha256").update(JSON.stringify(q)).digest("hex");

export const selectionOf = (q: NoisyQuestion): DiagnosisSelection | null =>
  q.diagnosis
    ? {
        categories: new Set(q.diagnosis.categories),
        chapters: new Set(q.diagnosis.chapters),
        prefixes: q.diagnosis.prefixes,
      }
    : null;

/** Every value a dimension can take under the question's filters: the public domain of its cells. */
export function domainOf(dim: NoisyDimension, q: NoisyQuestion, system: PublicationSystem): string[] {
  switch (dim) {
    case "WEEK": {
      const out: string[] = [];
      for (
        let w = weekNode(q.from, system);
        w.firstDay <= q.to;
        w = weekNode(toEpochDay(w.lastDay) + 1, system)
      )
        out.push(w.firstDay);
      return out;
    }
    case "STATE":
      return q.region
        ? sorted([...q.region.states, ...q.region.districts.map((x) => getDistrict(x)!.stateCode)]).map(
            String,
          )
        : STATES.map((s) => String(s.code));
    case "DISTRICT":
      return q.region
        ? sorted([
            ...q.region.states.flatMap((s) => districtsOf(s).map((x) => x.code)),
            ...q.region.districts,
          ]).map(String)
        : DISTRICTS.map((x) => String(x.code));
    case "DIAGNOSIS_CATEGORY": {
      const s = selectionOf(q);
      if (!s) {
        throw new ValidationError(
          "a noisy table by category needs a diagnosis filter (its categories are the cells)",
          {
            details: { field: "diagnosis" },
          },
        );
      }
      return categoriesTouched(s);
    }
    case "DIAGNOSIS_CHAPTER": {
      const s = selectionOf(q);
      const chapters = s
        ? sorted([...s.chapters, ...categoriesTouched(s).map(chapterOf)])
        : Array.from({ length: 23 }, (_, i) => i);
      return chapters.map(String);
    }
    case "AGE_BAND_5":
      return [...AGE_BANDS];
    case "AGE_BAND_20":
      return sorted(AGE_BANDS.map((x) => generalizeAgeBand(x, 2)));
    case "SEX":
      return [...SEXES];
  }
}

export function domainSize(q: NoisyQuestion, system: PublicationSystem): number {
  return q.groupBy.reduce((n, d) => n * domainOf(d, q, system).length, 1);
}
