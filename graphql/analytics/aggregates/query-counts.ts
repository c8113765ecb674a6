/**
 * Reads the finest cells of a case-count table from the daily rollup (case_count_daily), never
 * from the treatment or event tables: one GROUP BY over the filtered days.
 */
import type { Pool } from "pg";
import { type DetailCell, TableTooLargeError } from "../disclosure/cube.ts";
import { type DiagnosisSelection, groupSelection } from "../selection/diagnosis.ts";
import { diagnosisPredicate } from "../selection/diagnosis-sql.ts";
import { type RegionSelection, regionPredicate } from "../selection/region.ts";
import { type CaseDimension, DIMENSION_DEFS, type Row } from "./dimensions.ts";

export interface CaseCountsQuery {
  /** Inclusive reporting days (IST), "YYYY-MM-DD". */
  readonly from: string;
  readonly to: string;
  readonly dimensions: readonly CaseDimension[];
  readonly diagnosis: DiagnosisSelection | null;
  /** The surveillance groups of a DIAGNOSIS_GROUP table (disjoint). */
  readonly groups: readonly string[];
  readonly region: RegionSelection | null;
}

const DAILY_COLUMNS = {
  category: "diagnosis_category",
  chapter: "diagnosis_chapter",
  code: "diagnosis",
} as const;

export function caseCountsSql(q: CaseCountsQuery, limit: number): { text: string; values: unknown[] } {
  const values: unknown[] = [q.from, q.to];
  const where = ["day >= $1::date", "day <= $2::date"];
  let group = "NULL";
  if (q.groups.length > 0) {
    const whens = q.groups.map((id) => {
      const predicate = diagnosisPredicate(groupSelection(id), DAILY_COLUMNS, values);
      values.push(id);
      return `WHEN ${predicate} THEN $${values.length}::text`;
    });
    group = `CASE ${whens.join(" ")} END`;
  }
  if (q.diagnosis) where.push(diagnosisPredicate(q.diagnosis, DAILY_COLUMNS, values));
  if (q.region) where.push(regionPredicate(q.region, "state_code", "district_code", values));
  const selects = [...new Set(q.dimensions.flatMap((d) => DIMENSION_DEFS[d].select(group)))];
  const ordinals = selects.map((_, i) => i + 1).join(", ");
  values.push(limit + 1);
  const text = `SELECT ${[...selects, "sum(count)::int AS n"].join(", ")}
    FROM case_count_daily
   WHERE ${where.join(" AND ")}
   ${selects.length > 0 ? `GROUP BY ${ordinals}` : ""}
  HAVING sum(count) > 0
   LIMIT $${values.length}`;
  return { text, values };
}

/** The finest cells; throws TableTooLargeError past maxRows (before any suppression work). */
export async function fetchCaseCounts(
  pool: Pool,
  q: CaseCountsQuery,
  maxRows: number,
): Promise<DetailCell[]> {
  const { text, values } = caseCountsSql(q, maxRows);
  const { rows } = await pool.query<Row & { n: number }>(text, values);
  if (rows.length > maxRows) {
    throw new TableTooLargeError(
      `the table would have more than ${maxRows} cells: group by fewer or coarser dimensions, or narrow the filters`,
    );
  }
  return rows.map((row) => ({ coords: q.dimensions.map((d) => DIMENSION_DEFS[d].leaf(row)), count: row.n }));
}
