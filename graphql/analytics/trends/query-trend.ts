/**
 * Weekly case counts for one diagnosis selection and one region scope. Category-level selections
 * (the usual case: categories, chapters, most surveillance groups) read case_trend_weekly, whose
 * primary key (system, diagnosis_category, state_code, district_code, week_start) serves the
 * query as index range scans; selections with sub-category codes (e.g. COVID-19's U07.1) need the
 * code column and read case_count_daily instead. Never the treatment table.
 */
import type { Pool } from "pg";
import { WEEK_START_DATE_SQL } from "../aggregates/dimensions.ts";
import type { DetailCell } from "../disclosure/cube.ts";
import { type DiagnosisSelection, isCategoryLevel } from "../selection/diagnosis.ts";
import { diagnosisPredicate } from "../selection/diagnosis-sql.ts";
import type { TrendScope } from "./scope.ts";

export interface TrendQuery {
  readonly system: "ISO" | "MMWR";
  /** First and last week start (inclusive). */
  readonly fromWeek: string;
  readonly toWeek: string;
  /** Null: every diagnosis. */
  readonly diagnosis: DiagnosisSelection | null;
  readonly scope: TrendScope;
}

export type TrendSource = "case_trend_weekly" | "case_count_daily";

export function trendSql(q: TrendQuery): { text: string; values: unknown[]; source: TrendSource } {
  const weekly = q.diagnosis === null || isCategoryLevel(q.diagnosis);
  const values: unknown[] = [];
  const where: string[] = [];
  let week: string;
  if (weekly) {
    values.push(q.system, q.fromWeek, q.toWeek);
    where.push("system = $1::week_system", "week_start >= $2::date", "week_start <= $3::date");
    if (q.diagnosis) where.push(diagnosisPredicate(q.diagnosis, { category: "diagnosis_category" }, values));
    week = "week_start";
  } else {
    values.push(q.fromWeek, q.toWeek);
    where.push("day >= $1::date", "day < $2::date + 7");
    const columns = { category: "diagnosis_category", chapter: "diagnosis_chapter", code: "diagnosis" };
    if (q.diagnosis) where.push(diagnosisPredicate(q.diagnosis, columns, values));
    week = q.system === "ISO" ? WEEK_START_DATE_SQL.ISO_WEEK : WEEK_START_DATE_SQL.MMWR_WEEK;
  }
  if (q.scope.state !== null) {
    values.push(q.scope.state);
    where.push(`state_code = $${values.length}::smallint`);
  }
  if (q.scope.district !== null) {
    values.push(q.scope.district);
    where.push(`district_code = $${values.length}::smallint`);
  }
  const regionColumns =
    q.scope.breakdown === "DISTRICT"
      ? ["state_code", "district_code"]
      : q.scope.breakdown === "STATE"
        ? ["state_code"]
        : [];
  const selects = [`${week} AS w`, ...regionColumns];
  // Grouped on the date itself (in index order), formatted once per group afterwards.
  const text = `SELECT to_char(g.w, 'YYYY-MM-DD') AS w${regionColumns.map((c) => `, g.${c}`).join("")}, g.n FROM (
    SELECT ${selects.join(", ")}, sum(count)::int AS n
      FROM ${weekly ? "case_trend_weekly" : "case_count_daily"}
     WHERE ${where.join(" AND ")}
     GROUP BY ${selects.map((_, i) => i + 1).join(", ")}
    HAVING sum(count) > 0) g`;
  return { text, values, source: weekly ? "case_trend_weekly" : "case_count_daily" };
}

/** Cells as [region leaf, week leaf]. */
export async function fetchTrend(
  pool: Pool,
  q: TrendQuery,
): Promise<{ cells: DetailCell[]; source: TrendSource }> {
  const { text, values, source } = trendSql(q);
  const { rows } = await pool.query<{ w: string; state_code?: number; district_code?: number; n: number }>(
    text,
    values,
  );
  const weekKind = q.system === "ISO" ? "ISO_WEEK" : "MMWR_WEEK";
  return {
    source,
    cells: rows.map((r) => ({
      coords: [q.scope.leafOf(r.state_code ?? null, r.district_code ?? null), `${weekKind}:${r.w}`],
      count: r.n,
    })),
  };
}
