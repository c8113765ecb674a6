/**
 * Plans the writes of a folded BatchState: bulk COPY for the append-only tables, unnest upserts
 * for current state, rollup deltas, in foreign-key order. The plan holds values, not references
 * to the state, so the next batch may fold onto the same rows while this one is being written.
 */
import type { PoolClient } from "pg";
import { VERIFY_CHANNEL } from "../../shared/db/channels.ts";
import type { BatchState } from "./batch-state.ts";
import { copyStep, excludedSet, runWriteSteps, type SqlValue, unnestStep, type WriteStep } from "./bulk.ts";
import { dayToDate, isoTime } from "./calendar.ts";
import { addTreatmentDelta, createRollupDeltas, deltaRows, type RollupDeltas } from "./rollups.ts";
import type { MemberRow, PatientRow, RoleGrantRow, TreatmentRow } from "./rows.ts";
import {
  ACCESS_HISTORY_COLUMNS,
  ATTACHMENT_COLUMNS,
  CASE_DAILY_COLUMNS,
  CASE_TREND_COLUMNS,
  EVENT_BLOCK_COLUMNS,
  EVENT_RECORD_COLUMNS,
  HOSPITAL_COLUMNS,
  MEMBER_COLUMNS,
  PATIENT_COLUMNS,
  PATIENT_HISTORY_COLUMNS,
  ROLE_GRANT_COLUMNS,
  TREATMENT_COLUMNS,
  TREATMENT_DOCTOR_COLUMNS,
  VITAL_COLUMNS,
} from "./tables.ts";

const ts = (s: number | null) => (s === null ? null : isoTime(s));

export const memberValues = (m: MemberRow): SqlValue[] => [
  m.account,
  m.kind,
  m.hospitalId,
  m.personRef,
  m.specialty,
  m.devicePatientRef,
  m.active,
  m.registeredBy,
  ts(m.registeredAt),
  m.registeredBlock,
  m.revokedBy,
  ts(m.revokedAt),
  m.revokedBlock,
];

export const roleGrantValues = (g: RoleGrantRow): SqlValue[] => [
  g.account,
  g.role,
  g.roleId,
  g.active,
  g.grantedBy,
  ts(g.grantedAt),
  g.grantedBlock,
  g.revokedBy,
  ts(g.revokedAt),
  g.revokedBlock,
];

export const patientValues = (p: PatientRow): SqlValue[] => [
  p.ref,
  p.weightGrams,
  p.heightCm,
  p.sex,
  p.bloodGroup,
  dayToDate(p.birthDate),
  p.stateCode,
  p.districtCode,
  p.registeredHospitalId,
  p.registeredBy,
  ts(p.registeredAt),
  p.registeredBlock,
  ts(p.updatedAt),
  p.updatedBlock,
  p.version,
];

export const treatmentValues = (t: TreatmentRow): SqlValue[] => [
  t.id,
  t.patientRef,
  t.hospitalId,
  t.stage,
  t.diagnosis,
  t.diagnosisCategory,
  t.diagnosisChapter,
  t.diagnosedBy,
  ts(t.diagnosedAt),
  t.openedBy,
  ts(t.openedAt),
  t.openedBlock,
  ts(t.dischargedAt),
  ts(t.closedAt),
  ts(t.updatedAt),
  t.updatedBlock,
  t.patientSex,
  t.patientAgeBand,
  t.patientAgeYears,
  t.patientState,
  t.patientDistrict,
];

export const upsertMembersStep = (rows: MemberRow[]) =>
  unnestStep(
    "member",
    MEMBER_COLUMNS,
    rows.map(memberValues),
    `ON CONFLICT (account) DO UPDATE SET ${excludedSet(MEMBER_COLUMNS, ["account"])}`,
  );

export const upsertRoleGrantsStep = (rows: RoleGrantRow[]) =>
  unnestStep(
    "role_grant",
    ROLE_GRANT_COLUMNS,
    rows.map(roleGrantValues),
    `ON CONFLICT (account, role_id) DO UPDATE SET ${excludedSet(ROLE_GRANT_COLUMNS, ["account", "role_id"])}`,
  );

export const upsertPatientsStep = (rows: PatientRow[]) =>
  unnestStep(
    "patient",
    PATIENT_COLUMNS,
    rows.map(patientValues),
    `ON CONFLICT (ref) DO UPDATE SET ${excludedSet(PATIENT_COLUMNS, ["ref"])}`,
  );

export const upsertTreatmentsStep = (rows: TreatmentRow[]) =>
  unnestStep(
    "treatment",
    TREATMENT_COLUMNS,
    rows.map(treatmentValues),
    `ON CONFLICT (id) DO UPDATE SET ${excludedSet(TREATMENT_COLUMNS, ["id"])}`,
    "treatments",
  );

export async function upsertMembers(client: PoolClient, rows: MemberRow[]): Promise<void> {
  await runWriteSteps(client, [upsertMembersStep(rows)]);
}

export async function upsertRoleGrants(client: PoolClient, rows: RoleGrantRow[]): Promise<void> {
  await runWriteSteps(client, [upsertRoleGrantsStep(rows)]);
}

export async function upsertPatients(client: PoolClient, rows: PatientRow[]): Promise<void> {
  await runWriteSteps(client, [upsertPatientsStep(rows)]);
}

export async function upsertTreatments(client: PoolClient, rows: TreatmentRow[]): Promise<void> {
  await runWriteSteps(client, [upsertTreatmentsStep(rows)]);
}

const DAILY_KEYS = ["day", "diagnosis", "state_code", "district_code", "age_band", "sex", "hospital_id"];
const TREND_KEYS = ["system", "diagnosis_category", "state_code", "district_code", "week_start"];

function deltaTableSteps(
  table: string,
  columns: typeof CASE_DAILY_COLUMNS,
  keys: string[],
  rows: SqlValue[][],
): WriteStep[] {
  const upsert = unnestStep(
    table,
    columns,
    rows,
    `ON CONFLICT (${keys.join(", ")}) DO UPDATE SET count = ${table}.count + EXCLUDED.count`,
    "rollups",
  );
  if (!upsert) return [];
  // Cells that dropped to zero (a revised diagnosis, a reorg) are removed: only decremented keys.
  const dropped = rows.filter((r) => (r[r.length - 1] as number) < 0);
  if (dropped.length === 0) return [upsert];
  const keyColumns = columns.filter((c) => keys.includes(c.name));
  const index = keyColumns.map((c) => columns.indexOf(c));
  const unnest = keyColumns.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ");
  return [
    upsert,
    {
      kind: "query",
      label: "rollups",
      text: `DELETE FROM ${table} t USING unnest(${unnest}) AS k(${keyColumns.map((c) => c.name).join(", ")})
     WHERE ${keyColumns.map((c) => `t.${c.name} = k.${c.name}`).join(" AND ")} AND t.count <= 0`,
      values: index.map((i) => dropped.map((r) => r[i] ?? null)),
    },
  ];
}

export function rollupSteps(deltas: RollupDeltas): WriteStep[] {
  return [
    ...deltaTableSteps("case_count_daily", CASE_DAILY_COLUMNS, DAILY_KEYS, deltaRows(deltas.daily)),
    ...deltaTableSteps("case_trend_weekly", CASE_TREND_COLUMNS, TREND_KEYS, deltaRows(deltas.trend)),
  ];
}

export async function applyRollupDeltas(client: PoolClient, deltas: RollupDeltas): Promise<void> {
  await runWriteSteps(client, rollupSteps(deltas));
}

/** The statements that write `state`, in order. */
export function planBatchWrites(state: BatchState): (WriteStep | null)[] {
  const steps: (WriteStep | null)[] = [
    unnestStep(
      "event_block",
      EVENT_BLOCK_COLUMNS,
      [...state.blocks].map(([n, [hash, time]]) => [n, hash, isoTime(time)]),
      "ON CONFLICT (number) DO UPDATE SET hash = EXCLUDED.hash, time = EXCLUDED.time",
      "event_log",
    ),
  ];
  if (state.hospitals.size > 0) {
    steps.push(
      unnestStep(
        "hospital",
        HOSPITAL_COLUMNS,
        [...state.hospitals.values()].map((h) => [
          h.id,
          h.name,
          h.stateCode,
          h.districtCode,
          h.registeredBy,
          isoTime(h.registeredAt),
          h.registeredBlock,
          h.txHash,
        ]),
      ),
    );
  }
  steps.push(
    upsertMembersStep([...state.touchedMembers].map((a) => state.members.get(a)!)),
    upsertRoleGrantsStep(
      [...state.touchedRoleGrants]
        .map((k) => state.roleGrants.get(k))
        .filter((g): g is RoleGrantRow => g !== undefined),
    ),
    upsertPatientsStep([...state.touchedPatients].map((r) => state.patients.get(r)!)),
    copyStep("patient_history", PATIENT_HISTORY_COLUMNS, state.patientHistory),
  );

  const touched = [...state.touchedTreatments].map((id) => state.treatments.get(id)!);
  steps.push(upsertTreatmentsStep(touched));
  const deltas = createRollupDeltas();
  for (const t of touched) addTreatmentDelta(deltas, state.treatmentBaseline.get(t.id) ?? null, t);
  steps.push(...rollupSteps(deltas));

  if (state.revokedDoctors.size > 0) {
    steps.push({
      kind: "query",
      label: "doctors",
      text: "DELETE FROM treatment_doctor WHERE doctor = ANY($1::text[])",
      values: [[...state.revokedDoctors]],
    });
  }
  if (state.doctors.size > 0) {
    const keep: SqlValue[][] = [];
    const drop: { treatmentId: bigint; doctor: string }[] = [];
    for (const d of state.doctors.values()) {
      if ("removed" in d) drop.push(d);
      else keep.push([d.treatmentId, d.doctor, d.assignedBy, isoTime(d.assignedAt), d.assignedBlock]);
    }
    if (drop.length > 0) {
      steps.push({
        kind: "query",
        label: "doctors",
        text: `DELETE FROM treatment_doctor d USING unnest($1::bigint[], $2::text[]) AS k(treatment_id, doctor)
         WHERE d.treatment_id = k.treatment_id AND d.doctor = k.doctor`,
        values: [drop.map((d) => d.treatmentId.toString()), drop.map((d) => d.doctor)],
      });
    }
    steps.push(
      unnestStep(
        "treatment_doctor",
        TREATMENT_DOCTOR_COLUMNS,
        keep,
        `ON CONFLICT (treatment_id, doctor) DO UPDATE SET ${excludedSet(TREATMENT_DOCTOR_COLUMNS, ["treatment_id", "doctor"])}`,
        "doctors",
      ),
    );
  }

  if (state.cids.size > 0) {
    steps.push(
      {
        kind: "query",
        label: "files",
        text: "INSERT INTO file_verification (cid) SELECT unnest($1::text[]) ON CONFLICT (cid) DO NOTHING",
        values: [[...state.cids]],
      },
      copyStep("attachment", ATTACHMENT_COLUMNS, state.attachments, "files"),
      // Wakes verification workers once the transaction commits.
      { kind: "query", label: "files", text: "SELECT pg_notify($1, '')", values: [VERIFY_CHANNEL] },
    );
  }
  steps.push(
    copyStep("vital", VITAL_COLUMNS, state.vitals, "vitals"),
    copyStep("access_history", ACCESS_HISTORY_COLUMNS, state.accessHistory, "event_log"),
    copyStep("event_record", EVENT_RECORD_COLUMNS, state.eventLog, "event_log"),
  );
  return steps;
}
