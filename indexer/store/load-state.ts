/**
 * Loads, in one query per table, the current-state rows a batch of events will change, so the
 * reducer can fold the events onto them in memory.
 */
import type { PoolClient } from "pg";
import type { DocTelEvent } from "../decode/events.ts";
import { type BatchState, createBatchState, roleGrantKey } from "./batch-state.ts";
import type { EntityCache } from "./entity-cache.ts";
import type { MemberRow, PatientRow, RoleGrantRow, TreatmentRow } from "./rows.ts";

const TREATMENT_SCOPED = new Set([
  "DoctorAssigned",
  "DoctorUnassigned",
  "DiagnosisRecorded",
  "FileAttached",
  "StageAdvanced",
  "VitalsRecorded",
]);

export interface NeededKeys {
  treatments: Set<bigint>;
  patients: Set<string>;
  members: Set<string>;
  roleGrants: Map<string, { account: string; roleId: string }>;
}

/** The keys whose rows must be loaded before `events` can be folded. */
export function neededKeys(events: readonly DocTelEvent[]): NeededKeys {
  const opened = new Set<bigint>();
  const registered = new Set<string>();
  const keys: NeededKeys = {
    treatments: new Set(),
    patients: new Set(),
    members: new Set(),
    roleGrants: new Map(),
  };
  for (const ev of events) {
    if (ev.eventName === "TreatmentOpened") {
      opened.add(ev.args.treatmentId);
      const ref = ev.args.patientRef.toLowerCase();
      if (!registered.has(ref)) keys.patients.add(ref);
    } else if (ev.eventName === "PatientRegistered") {
      registered.add(ev.args.patientRef.toLowerCase());
    } else if (ev.eventName === "PatientUpdated") {
      const ref = ev.args.patientRef.toLowerCase();
      if (!registered.has(ref)) keys.patients.add(ref);
    } else if (ev.eventName === "MemberRevoked") {
      keys.members.add(ev.args.account.toLowerCase());
    } else if (ev.eventName === "RoleRevoked") {
      const account = ev.args.account.toLowerCase();
      const roleId = ev.args.role.toLowerCase();
      keys.roleGrants.set(roleGrantKey(account, roleId), { account, roleId });
    } else if (TREATMENT_SCOPED.has(ev.eventName)) {
      const id = (ev.args as { treatmentId: bigint }).treatmentId;
      if (!opened.has(id)) keys.treatments.add(id);
    }
  }
  return keys;
}

const seconds = (column: string) => `extract(epoch from ${column})::float8`;

export const TREATMENT_SELECT = `
  SELECT id::text, patient_ref, hospital_id, stage::text, diagnosis, diagnosis_category, diagnosis_chapter,
         diagnosed_by, ${seconds("diagnosed_at")} AS diagnosed_at, opened_by, ${seconds("opened_at")} AS opened_at,
         opened_block::text, ${seconds("discharged_at")} AS discharged_at, ${seconds("closed_at")} AS closed_at,
         ${seconds("updated_at")} AS updated_at, updated_block::text, patient_sex::text, patient_age_band,
         patient_age_years, patient_state, patient_district
  FROM treatment`;

type Raw = Record<string, unknown>;
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function treatmentFromRow(r: Raw): TreatmentRow {
  return {
    id: BigInt(r.id as string),
    patientRef: r.patient_ref as string,
    hospitalId: r.hospital_id as number,
    stage: r.stage as TreatmentRow["stage"],
    diagnosis: (r.diagnosis as string | null) ?? null,
    diagnosisCategory: (r.diagnosis_category as string | null) ?? null,
    diagnosisChapter: num(r.diagnosis_chapter),
    diagnosedBy: (r.diagnosed_by as string | null) ?? null,
    diagnosedAt: num(r.diagnosed_at),
    openedBy: r.opened_by as string,
    openedAt: Number(r.opened_at),
    openedBlock: BigInt(r.opened_block as string),
    dischargedAt: num(r.discharged_at),
    closedAt: num(r.closed_at),
    updatedAt: Number(r.updated_at),
    updatedBlock: BigInt(r.updated_block as string),
    patientSex: r.patient_sex as TreatmentRow["patientSex"],
    patientAgeBand: r.patient_age_band as string,
    patientAgeYears: r.patient_age_years as number,
    patientState: r.patient_state as number,
    patientDistrict: r.patient_district as number,
  };
}

export const PATIENT_SELECT = `
  SELECT ref, weight_grams, height_cm, sex::text, blood_group::text, (birth_date - date '1970-01-01') AS birth_date,
         state_code, district_code, registered_hospital_id, registered_by, ${seconds("registered_at")} AS registered_at,
         registered_block::text, ${seconds("updated_at")} AS updated_at, updated_block::text, version
  FROM patient`;

export function patientFromRow(r: Raw): PatientRow {
  return {
    ref: r.ref as string,
    weightGrams: r.weight_grams as number,
    heightCm: r.height_cm as number,
    sex: r.sex as PatientRow["sex"],
    bloodGroup: r.blood_group as PatientRow["bloodGroup"],
    birthDate: r.birth_date as number,
    stateCode: r.state_code as number,
    districtCode: r.district_code as number,
    registeredHospitalId: r.registered_hospital_id as number,
    registeredBy: r.registered_by as string,
    registeredAt: Number(r.registered_at),
    registeredBlock: BigInt(r.registered_block as string),
    updatedAt: Number(r.updated_at),
    updatedBlock: BigInt(r.updated_block as string),
    version: r.version as number,
  };
}

function memberFromRow(r: Raw): MemberRow {
  return {
    account: r.account as string,
    kind: r.kind as MemberRow["kind"],
    hospitalId: r.hospital_id as number,
    personRef: (r.person_ref as string | null) ?? null,
    specialty: num(r.specialty),
    devicePatientRef: (r.device_patient_ref as string | null) ?? null,
    active: r.active as boolean,
    registeredBy: r.registered_by as string,
    registeredAt: Number(r.registered_at),
    registeredBlock: BigInt(r.registered_block as string),
    revokedBy: (r.revoked_by as string | null) ?? null,
    revokedAt: num(r.revoked_at),
    revokedBlock: r.revoked_block === null ? null : BigInt(r.revoked_block as string),
  };
}

function roleGrantFromRow(r: Raw): RoleGrantRow {
  return {
    account: r.account as string,
    role: r.role as RoleGrantRow["role"],
    roleId: r.role_id as string,
    active: r.active as boolean,
    grantedBy: r.granted_by as string,
    grantedAt: Number(r.granted_at),
    grantedBlock: BigInt(r.granted_block as string),
    revokedBy: (r.revoked_by as string | null) ?? null,
    revokedAt: num(r.revoked_at),
    revokedBlock: r.revoked_block === null ? null : BigInt(r.revoked_block as string),
  };
}

function dropCached<K>(keys: Set<K>, cached: ReadonlyMap<K, unknown>): void {
  for (const key of keys) if (cached.has(key)) keys.delete(key);
}

/**
 * A BatchState over `entities` holding every current-state row that `events` will read or
 * change: rows already in `entities` are used as they are, the others are read from the database
 * (one query per table) and added to `entities`.
 */
export async function loadBatchState(
  client: Pick<PoolClient, "query">,
  events: readonly DocTelEvent[],
  entities: EntityCache,
): Promise<BatchState> {
  const state = createBatchState(entities);
  const keys = neededKeys(events);
  dropCached(keys.treatments, entities.treatments);
  dropCached(keys.patients, entities.patients);
  dropCached(keys.members, entities.members);
  for (const key of keys.roleGrants.keys()) if (entities.roleGrants.has(key)) keys.roleGrants.delete(key);
  if (keys.treatments.size > 0) {
    const { rows } = await client.query(`${TREATMENT_SELECT} WHERE id = ANY($1::bigint[])`, [
      [...keys.treatments].map(String),
    ]);
    for (const r of rows) {
      const t = treatmentFromRow(r);
      state.treatments.set(t.id, t);
    }
  }
  if (keys.patients.size > 0) {
    const { rows } = await client.query(`${PATIENT_SELECT} WHERE ref = ANY($1::text[])`, [
      [...keys.patients],
    ]);
    for (const r of rows) {
      const p = patientFromRow(r);
      state.patients.set(p.ref, p);
    }
  }
  if (keys.members.size > 0) {
    const { rows } = await client.query(
      `SELECT account, kind::text, hospital_id, person_ref, specialty, device_patient_ref, active, registered_by,
              ${seconds("registered_at")} AS registered_at, registered_block::text, revoked_by,
              ${seconds("revoked_at")} AS revoked_at, revoked_block::text
       FROM member WHERE account = ANY($1::text[])`,
      [[...keys.members]],
    );
    for (const r of rows) {
      const m = memberFromRow(r);
      state.members.set(m.account, m);
    }
  }
  if (keys.roleGrants.size > 0) {
    const list = [...keys.roleGrants.values()];
    const { rows } = await client.query(
      `SELECT g.account, g.role::text, g.role_id, g.active, g.granted_by, ${seconds("g.granted_at")} AS granted_at,
              g.granted_block::text, g.revoked_by, ${seconds("g.revoked_at")} AS revoked_at, g.revoked_block::text
       FROM role_grant g JOIN unnest($1::text[], $2::text[]) AS k(account, role_id)
         ON g.account = k.account AND g.role_id = k.role_id`,
      [list.map((k) => k.account), list.map((k) => k.roleId)],
    );
    for (const r of rows) {
      const g = roleGrantFromRow(r);
      state.roleGrants.set(roleGrantKey(g.account, g.roleId), g);
    }
  }
  return state;
}
