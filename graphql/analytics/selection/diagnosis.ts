/**
 * Which diagnoses a query covers: ICD-10 codes (a code also covers its extensions, "E11.6" covers
 * "E11.65"), 3-character categories, WHO chapters and named surveillance groups
 * (shared/reference/icd10-groups.ts), united. Compiled to exact category sets (ranges are
 * enumerated, so no SQL collation is involved) and code prefixes.
 */
import { ValidationError } from "../../../shared/errors.ts";
import { ICD10_CHAPTERS, icd10Category, parseIcd10 } from "../../../shared/reference/icd10.ts";
import { ICD10_GROUPS, type Icd10GroupId } from "../../../shared/reference/icd10-groups.ts";

export interface DiagnosisFilterInput {
  codes?: readonly string[] | null;
  categories?: readonly string[] | null;
  chapters?: readonly number[] | null;
  groups?: readonly string[] | null;
}

/** Cases whose category is in `categories`, or whose chapter is in `chapters`, or whose code starts with a prefix. */
export interface DiagnosisSelection {
  readonly categories: ReadonlySet<string>;
  readonly chapters: ReadonlySet<number>;
  /** Sub-category codes: "A83.0" matches "A83.0" and "A83.01". */
  readonly prefixes: readonly string[];
}

const THIRD = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const MAX_FILTER_ITEMS = 200;

/** Every syntactically valid category from `first` to `last` inclusive (letter, digit, digit or letter). */
export function categoriesBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let l = first.charCodeAt(0); l <= last.charCodeAt(0); l++) {
    for (let d = 0; d <= 9; d++) {
      for (const x of THIRD) {
        const category = `${String.fromCharCode(l)}${d}${x}`;
        if (category >= first && category <= last) out.push(category);
      }
    }
  }
  return out;
}

function groupById(id: string) {
  const group = ICD10_GROUPS.find((g) => g.id === id);
  if (!group) {
    throw new ValidationError(
      `unknown surveillance group "${id.slice(0, 40)}": expected one of ${ICD10_GROUPS.map((g) => g.id).join(", ")}`,
      {
        details: { field: "diagnosis.groups" },
      },
    );
  }
  return group;
}

/** A group's members as categories and prefixes. */
export function groupSelection(id: string): DiagnosisSelection {
  const categories = new Set<string>();
  const prefixes: string[] = [];
  for (const member of groupById(id).members) {
    const dash = member.indexOf("-");
    if (dash !== -1)
      for (const c of categoriesBetween(member.slice(0, dash), member.slice(dash + 1))) categories.add(c);
    else if (member.length === 3) categories.add(member);
    else prefixes.push(member);
  }
  return { categories, chapters: new Set(), prefixes };
}

function checkCount(what: string, items: readonly unknown[] | null | undefined): readonly unknown[] {
  const list = items ?? [];
  if (list.length > MAX_FILTER_ITEMS) {
    throw new ValidationError(`at most ${MAX_FILTER_ITEMS} ${what} per filter, got ${list.length}`, {
      details: { field: `diagnosis.${what}` },
    });
  }
  return list;
}

/** Null when the filter is absent or empty (every diagnosis). */
export function compileDiagnosisFilter(
  input: DiagnosisFilterInput | null | undefined,
): DiagnosisSelection | null {
  if (!input) return null;
  const categories = new Set<string>();
  const chapters = new Set<number>();
  const prefixes = new Set<string>();
  for (const code of checkCount("codes", input.codes) as string[]) {
    const parsed = parseIcd10(code);
    if (parsed.length === 3) categories.add(parsed);
    else prefixes.add(parsed);
  }
  for (const category of checkCount("categories", input.categories) as string[]) {
    const parsed = parseIcd10(category);
    if (parsed.length !== 3) {
      throw new ValidationError(`"${category.slice(0, 16)}" is not a 3-character ICD-10 category`, {
        details: { field: "diagnosis.categories" },
      });
    }
    categories.add(parsed);
  }
  for (const chapter of checkCount("chapters", input.chapters) as number[]) {
    if (!Number.isInteger(chapter) || chapter < 0 || chapter > ICD10_CHAPTERS.length) {
      throw new ValidationError(
        `ICD-10 chapters are 1..${ICD10_CHAPTERS.length} (0: outside every chapter), got ${chapter}`,
        {
          details: { field: "diagnosis.chapters" },
        },
      );
    }
    chapters.add(chapter);
  }
  for (const id of checkCount("groups", input.groups) as string[]) {
    const group = groupSelection(id);
    for (const c of group.categories) categories.add(c);
    for (const p of group.prefixes) prefixes.add(p);
  }
  if (categories.size === 0 && chapters.size === 0 && prefixes.size === 0) return null;
  // A prefix inside a selected category adds nothing.
  const kept = [...prefixes].filter((p) => !categories.has(icd10Category(p))).sort();
  return { categories, chapters, prefixes: kept };
}

/** The chapter's categories, enumerated (chapter 0 has no range: it cannot be enumerated). */
export function chapterCategories(chapter: number): string[] {
  const c = ICD10_CHAPTERS.find((x) => x.number === chapter);
  return c ? categoriesBetween(c.first, c.last) : [];
}

/** Whether the selection can be answered from a table keyed by category only. */
export const isCategoryLevel = (s: DiagnosisSelection): boolean =>
  s.prefixes.length === 0 && !s.chapters.has(0);

/** Every category the selection covers in full or in part (chapters enumerated). */
export function categoriesTouched(s: DiagnosisSelection): string[] {
  const out = new Set(s.categories);
  for (const chapter of s.chapters) for (const c of chapterCategories(chapter)) out.add(c);
  for (const p of s.prefixes) out.add(icd10Category(p));
  return [...out].sort();
}

export function selectionsOverlap(a: DiagnosisSelection, b: DiagnosisSelection): boolean {
  const catsA = new Set(categoriesTouched({ ...a, prefixes: [] }));
  const catsB = new Set(categoriesTouched({ ...b, prefixes: [] }));
  for (const c of catsA) if (catsB.has(c)) return true;
  if (a.chapters.has(0) && b.chapters.has(0)) return true;
  for (const p of a.prefixes) if (catsB.has(icd10Category(p))) return true;
  for (const p of b.prefixes) if (catsA.has(icd10Category(p))) return true;
  return a.prefixes.some((p) => b.prefixes.some((q) => p.startsWith(q) || q.startsWith(p)));
}

/** Throws unless no two of the groups share a diagnosis (so their counts add up). */
export function checkDisjointGroups(ids: readonly string[]): void {
  const selections = ids.map((id) => ({ id, selection: groupSelection(id) }));
  for (let i = 0; i < selections.length; i++) {
    for (let j = i + 1; j < selections.length; j++) {
      const a = selections[i]!;
      const b = selections[j]!;
      if (a.id === b.id || selectionsOverlap(a.selection, b.selection)) {
        throw new ValidationError(
          `surveillance groups "${a.id}" and "${b.id}" share diagnoses: a table grouped by surveillance group needs groups that do not overlap (ask for the others in another query)`,
          { details: { field: "diagnosis.groups" } },
        );
      }
    }
  }
}

export type { Icd10GroupId };
