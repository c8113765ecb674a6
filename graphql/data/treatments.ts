/** The `treatments` search: visibility first, then filters, keyset-paginated on (opened_at, id). */
import { type ClinicalScope, treatmentVisibleSql } from "../auth/policy.ts";
import { TREATMENT_COLUMNS, type TreatmentRow } from "./rows.ts";
import { prepared, type Queryable } from "./sql.ts";

export interface TreatmentSearch {
  patientRef?: string | undefined;
  hospitalId?: number | undefined;
  doctor?: string | undefined;
  stages?: readonly string[] | undefined;
  diagnosis?: string | undefined;
  diagnosisCategory?: string | undefined;
  diagnosisChapter?: number | undefined;
  openedFrom?: Date | undefined;
  openedTo?: Date | undefined;
}

export type TreatmentOrder = "OPENED_AT_DESC" | "OPENED_AT_ASC";

export async function searchTreatments(
  pool: Queryable,
  scope: ClinicalScope,
  search: TreatmentSearch,
  page: { limit: number; after: [string, string] | null; order: TreatmentOrder },
): Promise<TreatmentRow[]> {
  const params: unknown[] = [];
  const where = [treatmentVisibleSql(scope, "t", params)];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (search.patientRef !== undefined) add((n) => `t.patient_ref = ${n}`, search.patientRef);
  if (search.hospitalId !== undefined) add((n) => `t.hospital_id = ${n}`, search.hospitalId);
  if (search.doctor !== undefined) {
    add(
      (n) => `EXISTS (SELECT 1 FROM treatment_doctor d WHERE d.treatment_id = t.id AND d.doctor = ${n})`,
      search.doctor,
    );
  }
  if (search.stages !== undefined && search.stages.length > 0)
    add((n) => `t.stage::text = ANY(${n}::text[])`, search.stages);
  if (search.diagnosis !== undefined) add((n) => `t.diagnosis = ${n}`, search.diagnosis);
  if (search.diagnosisCategory !== undefined)
    add((n) => `t.diagnosis_category = ${n}`, search.diagnosisCategory);
  if (search.diagnosisChapter !== undefined)
    add((n) => `t.diagnosis_chapter = ${n}`, search.diagnosisChapter);
  if (search.openedFrom !== undefined) add((n) => `t.opened_at >= ${n}`, search.openedFrom);
  if (search.openedTo !== undefined) add((n) => `t.opened_at < ${n}`, search.openedTo);
  const desc = page.order === "OPENED_AT_DESC";
  if (page.after) {
    params.push(page.after[0], page.after[1]);
    const op = desc ? "<" : ">";
    where.push(`(t.opened_at, t.id) ${op} ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
  }
  params.push(page.limit + 1);
  const dir = desc ? "DESC" : "ASC";
  const { rows } = await prepared<TreatmentRow & Record<string, unknown>>(
    pool,
    `SELECT ${TREATMENT_COLUMNS} FROM treatment t WHERE ${where.join(" AND ")}
      ORDER BY t.opened_at ${dir}, t.id ${dir} LIMIT $${params.length}`,
    params,
  );
  return rows;
}

/** Whether the scope may see treatment `id` (null when it does not exist). */
export async function treatmentVisible(
  pool: Queryable,
  scope: ClinicalScope,
  id: string,
): Promise<boolean | null> {
  const params: unknown[] = [id];
  const visible = treatmentVisibleSql(scope, "t", params);
  const { rows } = await prepared<{ visible: boolean }>(
    pool,
    `SELECT ${visible} AS visible FROM treatment t WHERE t.id = $1::bigint`,
    params,
  );
  return rows[0] ? rows[0].visible : null;
}
