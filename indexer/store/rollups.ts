/**
 * Public-health rollups, maintained as deltas: each treatment with a diagnosis is one case,
 * counted on the reporting day it opened, with the patient snapshot taken then. A batch (or a
 * rollback) compares each touched treatment's contribution before and after, and applies the
 * difference.
 */
import { weekStart } from "../../shared/reference/weeks.ts";
import type { SqlValue } from "./bulk.ts";
import { dayToDate, reportingDay } from "./calendar.ts";
import type { TreatmentRow } from "./rows.ts";

export interface RollupDeltas {
  daily: Map<string, { row: SqlValue[]; delta: number }>;
  trend: Map<string, { row: SqlValue[]; delta: number }>;
}

export function createRollupDeltas(): RollupDeltas {
  return { daily: new Map(), trend: new Map() };
}

function bump(map: Map<string, { row: SqlValue[]; delta: number }>, row: SqlValue[], delta: number): void {
  const key = row.join("|");
  const entry = map.get(key);
  if (entry) entry.delta += delta;
  else map.set(key, { row, delta });
}

function contribute(deltas: RollupDeltas, t: TreatmentRow, delta: number): void {
  if (t.diagnosis === null || t.diagnosisCategory === null) return;
  const day = dayToDate(reportingDay(t.openedAt));
  bump(
    deltas.daily,
    [
      day,
      t.diagnosis,
      t.diagnosisCategory,
      t.diagnosisChapter ?? 0,
      t.patientState,
      t.patientDistrict,
      t.patientAgeBand,
      t.patientSex,
      t.hospitalId,
    ],
    delta,
  );
  for (const system of ["iso", "mmwr"] as const) {
    bump(
      deltas.trend,
      [system.toUpperCase(), weekStart(day, system), t.diagnosisCategory, t.patientState, t.patientDistrict],
      delta,
    );
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

/** The non-zero deltas as rows ready for the upsert (count column last). */
export function deltaRows(map: RollupDeltas["daily"]): SqlValue[][] {
  const rows: SqlValue[][] = [];
  for (const { row, delta } of map.values()) if (delta !== 0) rows.push([...row, delta]);
  return rows;
}
