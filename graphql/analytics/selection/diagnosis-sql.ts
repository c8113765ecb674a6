/**
 * SQL predicates for a DiagnosisSelection over the rollups and the treatment table. Parameters
 * are appended to `params`; categories are compared for equality (index-friendly, no collation).
 */
import { NonRetryableError } from "../../../shared/errors.ts";
import { icd10Category } from "../../../shared/reference/icd10.ts";
import { chapterCategories, type DiagnosisSelection } from "./diagnosis.ts";

export interface DiagnosisColumns {
  readonly category: string;
  /** Absent for tables keyed by category only (case_trend_weekly). */
  readonly chapter?: string;
  readonly code?: string;
}

const param = (params: unknown[], value: unknown) => {
  params.push(value);
  return `$${params.length}`;
};

export function diagnosisPredicate(s: DiagnosisSelection, cols: DiagnosisColumns, params: unknown[]): string {
  const terms: string[] = [];
  const categories = new Set(s.categories);
  if (s.chapters.size > 0) {
    if (cols.chapter !== undefined) {
      terms.push(`${cols.chapter} = ANY(${param(params, [...s.chapters])}::smallint[])`);
    } else {
      if (s.chapters.has(0))
        throw new NonRetryableError("INTERNAL", "chapter 0 cannot be selected by category");
      for (const chapter of s.chapters) for (const c of chapterCategories(chapter)) categories.add(c);
    }
  }
  if (categories.size > 0)
    terms.push(`${cols.category} = ANY(${param(params, [...categories].sort())}::text[])`);
  if (s.prefixes.length > 0) {
    if (cols.code === undefined) throw new NonRetryableError("INTERNAL", "code prefixes need a code column");
    const prefixCategories = [...new Set(s.prefixes.map((p) => icd10Category(p)))].sort();
    terms.push(
      `(${cols.category} = ANY(${param(params, prefixCategories)}::text[]) AND ${cols.code} LIKE ANY(${param(
        params,
        s.prefixes.map((p) => `${p}%`),
      )}::text[]))`,
    );
  }
  return terms.length === 0 ? "FALSE" : `(${terms.join(" OR ")})`;
}
