/**
 * What an exact query may ask for: nodes of the fixed hierarchies, in combinations that some
 * published table holds. Anything else (day ranges, unions of categories, district × chapter,
 * state × age...) is refused with a pointer to the noisy query.
 */
import { ValidationError } from "../../../shared/errors.ts";
import { ICD10_CHAPTERS, parseIcd10 } from "../../../shared/reference/icd10.ts";
import { districtsOf, getDistrict, getState } from "../../../shared/reference/regions.ts";
import { ALL, diagnosisNode, NOISE_ONLY_GROUPS, PUBLISHED_GROUPS, regionNode } from "./lattice.ts";

export type RegionLevel = "NATION" | "STATE" | "DISTRICT";
export type DiagnosisLevel = "ALL" | "CHAPTER" | "GROUP" | "CATEGORY";

export interface RegionSelectionInput {
  level: RegionLevel;
  /** LGD codes of the nodes; absent: every node of the level (districts: of `states` if given). */
  codes?: readonly number[] | null;
  /** DISTRICT only: every district of these states. */
  states?: readonly number[] | null;
}

export interface DiagnosisSelectionInput {
  level: DiagnosisLevel;
  /** Chapter numbers ("4"), group ids ("vector-borne") or categories ("A90"); absent: every node. */
  codes?: readonly string[] | null;
}

/** SQL-ready selection of one dimension: an exact node list, or a key prefix for "every node". */
export interface NodeSelection {
  readonly nodes: readonly string[] | null;
  readonly prefix: string | null;
}

const MAX_CODES = 800;

function noisyHint(what: string): ValidationError {
  return new ValidationError(
    `${what} is not published: exact counts exist only for the published tables (district × category; state or nation × category, group, chapter or all; nation × chapter or all × age band × sex). Ask noisyCaseCounts for it`,
    { details: { field: "input" } },
  );
}

export function compileRegion(input: RegionSelectionInput | null | undefined): {
  level: RegionLevel;
  selection: NodeSelection;
} {
  const level = input?.level ?? "NATION";
  const codes = input?.codes ?? null;
  if (codes && codes.length > MAX_CODES) {
    throw new ValidationError(`at most ${MAX_CODES} region codes`, { details: { field: "region.codes" } });
  }
  if (level === "NATION") return { level, selection: { nodes: [ALL], prefix: null } };
  if (level === "STATE") {
    for (const c of codes ?? [])
      if (!getState(c))
        throw new ValidationError(`unknown LGD state code ${c}`, { details: { field: "region.codes" } });
    return {
      level,
      selection: codes ? { nodes: codes.map(regionNode.state), prefix: null } : { nodes: null, prefix: "S:" },
    };
  }
  for (const c of codes ?? [])
    if (!getDistrict(c))
      throw new ValidationError(`unknown LGD district code ${c}`, { details: { field: "region.codes" } });
  const states = input?.states ?? null;
  for (const s of states ?? [])
    if (!getState(s))
      throw new ValidationError(`unknown LGD state code ${s}`, { details: { field: "region.states" } });
  if (codes) return { level, selection: { nodes: codes.map(regionNode.district), prefix: null } };
  if (states) {
    return {
      level,
      selection: {
        nodes: states.flatMap((s) => districtsOf(s).map((d) => regionNode.district(d.code))),
        prefix: null,
      },
    };
  }
  return { level, selection: { nodes: null, prefix: "D:" } };
}

export function diagnosisCode(level: DiagnosisLevel, code: string): string {
  switch (level) {
    case "ALL":
      return ALL;
    case "CHAPTER": {
      const n = Number(code);
      if (!Number.isInteger(n) || (n !== 0 && !ICD10_CHAPTERS.some((c) => c.number === n))) {
        throw new ValidationError(
          `ICD-10 chapters are 1..${ICD10_CHAPTERS.length} (0: outside every chapter), got "${code.slice(0, 8)}"`,
          {
            details: { field: "diagnosis.codes" },
          },
        );
      }
      return diagnosisNode.chapter(n);
    }
    case "GROUP": {
      if (PUBLISHED_GROUPS.has(code)) return diagnosisNode.group(code);
      if (NOISE_ONLY_GROUPS.includes(code)) {
        throw noisyHint(`surveillance group "${code}" (defined with sub-category codes)`);
      }
      throw new ValidationError(
        `unknown surveillance group "${code.slice(0, 40)}": expected one of ${[...PUBLISHED_GROUPS.keys()].join(", ")}`,
        { details: { field: "diagnosis.codes" } },
      );
    }
    case "CATEGORY": {
      const parsed = parseIcd10(code);
      if (parsed.length !== 3) throw noisyHint(`ICD-10 code ${parsed} (finer than a category)`);
      return diagnosisNode.category(parsed);
    }
  }
}

export function compileDiagnosis(input: DiagnosisSelectionInput | null | undefined): {
  level: DiagnosisLevel;
  selection: NodeSelection;
} {
  const level = input?.level ?? "ALL";
  const codes = input?.codes ?? null;
  if (codes && codes.length > MAX_CODES) {
    throw new ValidationError(`at most ${MAX_CODES} diagnosis codes`, {
      details: { field: "diagnosis.codes" },
    });
  }
  if (level === "ALL") return { level, selection: { nodes: [ALL], prefix: null } };
  if (codes)
    return {
      level,
      selection: { nodes: [...new Set(codes.map((c) => diagnosisCode(level, c)))], prefix: null },
    };
  const prefix = { CHAPTER: "CH:", GROUP: "G:", CATEGORY: "C:" }[level];
  return { level, selection: { nodes: null, prefix } };
}

/** Throws unless a published table holds this combination. */
export function checkPublished(
  region: RegionLevel,
  diagnosis: DiagnosisLevel,
  byAge: boolean,
  bySex: boolean,
): void {
  if (region === "DISTRICT") {
    if (diagnosis !== "CATEGORY") throw noisyHint(`district × ${diagnosis.toLowerCase()}`);
    if (byAge || bySex) throw noisyHint("district × age or sex");
  }
  if ((byAge || bySex) && region !== "NATION") throw noisyHint(`${region.toLowerCase()} × age or sex`);
  if ((byAge || bySex) && diagnosis !== "CHAPTER" && diagnosis !== "ALL")
    throw noisyHint(`${diagnosis.toLowerCase()} × age or sex`);
}
