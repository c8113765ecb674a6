/**
 * Node keys of the released tables' dimensions, self-describing so that a node names its parent:
 *
 *   CODE:E11.9 -> CATEGORY:E11 -> CHAPTER:4 -> *        GROUP:vector-borne -> *
 *   DISTRICT:27:519 -> STATE:27 -> *                     ISO_WEEK:2024-01-29 -> *   (MMWR_WEEK too)
 *   AGE_5:35-39 -> AGE_10:30-39 -> AGE_20:20-39 -> *     SEX:FEMALE -> *            HOSPITAL:12 -> *
 */

import { ICD10_CHAPTERS, icd10Chapter } from "../../../shared/reference/icd10.ts";
import { ICD10_GROUPS } from "../../../shared/reference/icd10-groups.ts";
import { ICD10_CATEGORY_NAMES, icd10Name } from "../../../shared/reference/icd10-names.ts";
import { getDistrict, getState } from "../../../shared/reference/regions.ts";
import { epiWeek, formatEpiWeek, generalizeAgeBand } from "../../../shared/reference/weeks.ts";
import { TOTAL } from "../disclosure/cube.ts";

export type NodeKind =
  | "CODE"
  | "CATEGORY"
  | "CHAPTER"
  | "GROUP"
  | "STATE"
  | "DISTRICT"
  | "ISO_WEEK"
  | "MMWR_WEEK"
  | "AGE_5"
  | "AGE_10"
  | "AGE_20"
  | "SEX"
  | "HOSPITAL";

export interface DimensionValue {
  /** The level: DIAGNOSIS_CODE, DIAGNOSIS_CATEGORY, ..., or TOTAL. */
  readonly level: string;
  readonly code: string;
  readonly label: string | null;
}

export const node = (kind: NodeKind, ...parts: (string | number)[]): string => `${kind}:${parts.join(":")}`;

export function splitNode(key: string): { kind: NodeKind | "TOTAL"; parts: string[] } {
  if (key === TOTAL) return { kind: "TOTAL", parts: [] };
  const [kind, ...parts] = key.split(":");
  return { kind: kind as NodeKind, parts };
}

export const chapterOfCategory = (category: string): number => icd10Chapter(category)?.number ?? 0;

/** The parent of a node in the aggregate tables, where every dimension has a total. */
export function aggregateParentOf(key: string): string | null {
  const { kind, parts } = splitNode(key);
  const [a = ""] = parts;
  switch (kind) {
    case "TOTAL":
      return null;
    case "CODE":
      return node("CATEGORY", a.slice(0, 3));
    case "CATEGORY":
      return node("CHAPTER", chapterOfCategory(a));
    case "DISTRICT":
      return node("STATE", a);
    case "AGE_5":
      return node("AGE_10", generalizeAgeBand(a, 1));
    case "AGE_10":
      return node("AGE_20", generalizeAgeBand(a, 2));
    default:
      return TOTAL;
  }
}

const LEVEL_OF: Readonly<Record<NodeKind, string>> = {
  CODE: "DIAGNOSIS_CODE",
  CATEGORY: "DIAGNOSIS_CATEGORY",
  CHAPTER: "DIAGNOSIS_CHAPTER",
  GROUP: "DIAGNOSIS_GROUP",
  STATE: "STATE",
  DISTRICT: "DISTRICT",
  ISO_WEEK: "ISO_WEEK",
  MMWR_WEEK: "MMWR_WEEK",
  AGE_5: "AGE_BAND_5",
  AGE_10: "AGE_BAND_10",
  AGE_20: "AGE_BAND_20",
  SEX: "SEX",
  HOSPITAL: "HOSPITAL",
};

const titleCase = (s: string) => s.charAt(0) + s.slice(1).toLowerCase();

/** The public description of a node; hospital names come from `hospitalNames`. */
export function describeNode(
  key: string,
  hospitalNames: ReadonlyMap<number, string> = new Map(),
): DimensionValue {
  const { kind, parts } = splitNode(key);
  const [a = "", b = ""] = parts;
  switch (kind) {
    case "TOTAL":
      return { level: "TOTAL", code: TOTAL, label: "All" };
    case "CODE":
      return { level: LEVEL_OF[kind], code: a, label: icd10Name(a) ?? null };
    case "CATEGORY":
      return { level: LEVEL_OF[kind], code: a, label: ICD10_CATEGORY_NAMES[a] ?? null };
    case "CHAPTER": {
      const chapter = ICD10_CHAPTERS.find((c) => c.number === Number(a));
      return {
        level: LEVEL_OF[kind],
        code: a,
        label: chapter ? `${chapter.roman}. ${chapter.title}` : "Outside the WHO chapters",
      };
    }
    case "GROUP":
      return { level: LEVEL_OF[kind], code: a, label: ICD10_GROUPS.find((g) => g.id === a)?.title ?? null };
    case "STATE":
      return { level: LEVEL_OF[kind], code: a, label: getState(Number(a))?.name ?? null };
    case "DISTRICT":
      return { level: LEVEL_OF[kind], code: b, label: getDistrict(Number(b))?.name ?? null };
    case "ISO_WEEK":
    case "MMWR_WEEK": {
      const system = kind === "ISO_WEEK" ? "iso" : "mmwr";
      return { level: LEVEL_OF[kind], code: formatEpiWeek(epiWeek(a, system), system), label: a };
    }
    case "AGE_5":
    case "AGE_10":
    case "AGE_20":
      return { level: LEVEL_OF[kind], code: a, label: `${a} years` };
    case "SEX":
      return { level: LEVEL_OF[kind], code: a, label: titleCase(a) };
    case "HOSPITAL":
      return { level: LEVEL_OF[kind], code: a, label: hospitalNames.get(Number(a)) ?? null };
  }
}
