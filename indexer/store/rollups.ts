/**
 * Public-health rollups (the `@store rollup` tables), maintained as deltas: each treatment with a
 * diagnosis is one case, counted on the reporting day it opened, with the patient snapshot taken
 * then. A batch (or a rollback) compares each touched treatment's contribution before and after,
 * and applies the difference. Rollups are derived from treatments only: the undo log restores
 * treatments, and a rollback applies the difference again (rollback.ts).
 */
import type {
  CaseCountDailyRow,
  CaseTrendWeeklyRow,
  TreatmentRow,
} from "../../shared/db/generated/tables.ts";
import type { AnyTable, RowOf } from "../../shared/db/table.ts";
import { toEpochDay, weekStart } from "../../shared/reference/weeks.ts";
import { unnestStep, type WriteStep } from "./bulk.ts";
import { reportingDay } from "./calendar.ts";
import { columnArrays, keyColumns, keyList, keyOf, TABLE } from "./tables.ts";

/** The cells one batch changes, each with its count change (`count` holds the delta). */
export interface RollupDeltas {
  daily: Map<string, CaseCountDailyRow>;
  trend: Map<string, CaseTrendWeeklyRow>;
}

export function createRollupDeltas(): RollupDeltas {
  return { daily: new Map(), trend: new Map() };
}

function bump<T extends AnyTable>(table: T, map: Map<string, RowOf<T>>, cell: RowOf<T>): void {
  const key = String(keyOf(table, cell as never));
  const entry = map.get(key) as { count: number } | undefined;
  if (entry) entry.count += (cell as { count: number }).count;
  else map.set(key, cell);
}

/** The first days of the ISO and MMWR weeks of a day (memoized: a batch's cases share few days). */
const weekStarts = new Map<number, readonly [number, number]>();
function weeksOf(day: number): readonly [number, number] {
  let weeks = weekStarts.get(day);
  if (!weeks) {
    if (weekStarts.size > 10_000) weekStarts.clear();
    weeks = [toEpochDay(weekStart(day, "iso")), toEpochDay(weekStart(day, "mmwr"))];
    weekStarts.set(day, weeks);
  }
  return weeks;
}

function contribute(deltas: RollupDeltas, t: TreatmentRow, delta: number): void {
  if (t.diagnosis === null || t.diagnosisCategory === null) return;
  const day = reportingDay(t.openedAt);
  bump(TABLE.caseCountDaily, deltas.daily, {
    day,
    diagnosis: t.diagnosis,
    diagnosisCategory: t.diagnosisCategory,
    diagnosisChapter: t.diagnosisChapter ?? 0,
    stateCode: t.patientState,
    districtCode: t.patientDistrict,
    ageBand: t.patientAgeBand,
    sex: t.patientSex,
    hospitalId: t.hospitalId,
    count: delta,
  });
  const weeks = weeksOf(day);
  for (const system of ["ISO", "MMWR"] as const) {
    bump(TABLE.caseTrendWeekly, deltas.trend, {
      system,
      weekStart: system === "ISO" ? weeks[0] : weeks[1],
      diagnosisCategory: t.diagnosisCategory,
      stateCode: t.patientState,
      districtCode: t.patientDistrict,
      count: delta,
    });
  }
}

/** Records the change of one treatment's contribution, from `before` to `after` (null = none). */
export function addTreatmentDelta(
  deltas: RollupDeltas,
  before: TreatmentRow | null,
  after: TreatmentRow | null,
): void {
  if (before && after && sameContribution(before, after)) return;
  if (before) contribute(deltas, before, -1);
  if (after) contribute(deltas, after, +1);
}

function sameContribution(a: TreatmentRow, b: TreatmentRow): boolean {
  return (
    a.diagnosis === b.diagnosis &&
    a.openedAt === b.openedAt &&
    a.hospitalId === b.hospitalId &&
    a.patientState === b.patientState &&
    a.patientDistrict === b.patientDistrict &&
    a.patientAgeBand === b.patientAgeBand &&
    a.patientSex === b.patientSex
  );
}

/** Adds the non-zero deltas to their cells, then removes the cells that dropped to zero. */
function deltaSteps<T extends typeof TABLE.caseCountDaily | typeof TABLE.caseTrendWeekly>(
  table: T,
  cells: readonly RowOf<T>[],
): WriteStep[] {
  const rows = cells.filter((c) => (c as { count: number }).count !== 0);
  const upsert = unnestStep(
    table.name,
    table.columns,
    columnArrays(table, rows),
    `ON CONFLICT (${keyList(table)}) DO UPDATE SET count = ${table.name}.count + EXCLUDED.count`,
    "rollups",
  );
  if (!upsert) return [];
  // Cells that dropped to zero (a revised diagnosis, a reorg) are removed: only decremented keys.
  const dropped = rows.filter((r) => (r as { count: number }).count < 0);
  if (dropped.length === 0) return [upsert];
  const keys = keyColumns(table);
  const unnest = keys.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(", ");
  return [
    upsert,
    {
      kind: "query",
      label: "rollups",
      text: `DELETE FROM ${table.name} t USING unnest(${unnest}) AS k(${keys.map((c) => c.name).join(", ")})
     WHERE ${keys.map((c) => `t.${c.name} = k.${c.name}`).join(" AND ")} AND t.count <= 0`,
      values: columnArrays(table, dropped, keys),
    },
  ];
}

export function rollupSteps(deltas: RollupDeltas): WriteStep[] {
  return [
    ...deltaSteps(TABLE.caseCountDaily, [...deltas.daily.values()]),
    ...deltaSteps(TABLE.caseTrendWeekly, [...deltas.trend.values()]),
  ];
}
