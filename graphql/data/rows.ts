/**
 * Rows as resolvers see them: camelCase, bigints and block numbers as decimal strings,
 * timestamps as Date, dates as "YYYY-MM-DD". The SELECT lists that produce them are next to
 * each type, so every query returns the same shape.
 */

export interface TreatmentRow {
  id: string;
  patientRef: string;
  hospitalId: number;
  stage: string;
  diagnosis: string | null;
  diagnosisCategory: string | null;
  diagnosisChapter: number | null;
  diagnosedBy: string | null;
  diagnosedAt: Date | null;
  openedBy: string;
  openedAt: Date;
  openedBlock: string;
  dischargedAt: Date | null;
  closedAt: Date | null;
  updatedAt: Date;
  updatedBlock: string;
}

export const TREATMENT_COLUMNS = `t.id::text AS id, t.patient_ref AS "patientRef", t.hospital_id AS "hospitalId",
  t.stage::text AS stage, t.diagnosis, t.diagnosis_category AS "diagnosisCategory",
  t.diagnosis_chapter AS "diagnosisChapter", t.diagnosed_by AS "diagnosedBy", t.diagnosed_at AS "diagnosedAt",
  t.opened_by AS "openedBy", t.opened_at AS "openedAt", t.opened_block::text AS "openedBlock",
  t.discharged_at AS "dischargedAt", t.closed_at AS "closedAt", t.updated_at AS "updatedAt",
  t.updated_block::text AS "updatedBlock"`;

export interface PatientRow {
  ref: string;
  weightGrams: number;
  heightCm: number;
  sex: string;
  bloodGroup: string;
  birthDate: string;
  stateCode: number;
  districtCode: number;
  registeredHospitalId: number;
  registeredBy: string;
  registeredAt: Date;
  updatedAt: Date;
  version: number;
}

export const PATIENT_COLUMNS = `p.ref, p.weight_grams AS "weightGrams", p.height_cm AS "heightCm", p.sex::text AS sex,
  p.blood_group::text AS "bloodGroup", p.birth_date::text AS "birthDate", p.state_code AS "stateCode",
  p.district_code AS "districtCode", p.registered_hospital_id AS "registeredHospitalId",
  p.registered_by AS "registeredBy", p.registered_at AS "registeredAt", p.updated_at AS "updatedAt", p.version`;

export interface PatientVersionRow {
  patientRef: string;
  blockNumber: string;
  logIndex: number;
  registration: boolean;
  weightGrams: number;
  heightCm: number;
  sex: string;
  bloodGroup: string;
  birthDate: string;
  stateCode: number;
  districtCode: number;
  hospitalId: number;
  actor: string;
  blockTime: Date;
  txHash: string;
}

export const PATIENT_VERSION_COLUMNS = `h.patient_ref AS "patientRef", h.block_number::text AS "blockNumber",
  h.log_index AS "logIndex", h.registration, h.weight_grams AS "weightGrams", h.height_cm AS "heightCm",
  h.sex::text AS sex, h.blood_group::text AS "bloodGroup", h.birth_date::text AS "birthDate",
  h.state_code AS "stateCode", h.district_code AS "districtCode", h.hospital_id AS "hospitalId", h.actor,
  h.block_time AS "blockTime", h.tx_hash AS "txHash"`;

export interface HospitalRow {
  id: number;
  name: string;
  stateCode: number;
  districtCode: number;
  registeredBy: string;
  registeredAt: Date;
  registeredBlock: string;
  txHash: string;
}

export const HOSPITAL_COLUMNS = `h.id, h.name, h.state_code AS "stateCode", h.district_code AS "districtCode",
  h.registered_by AS "registeredBy", h.registered_at AS "registeredAt",
  h.registered_block::text AS "registeredBlock", h.tx_hash AS "txHash"`;

export interface MemberRow {
  account: string;
  kind: string;
  hospitalId: number;
  personRef: string | null;
  specialty: number | null;
  devicePatientRef: string | null;
  active: boolean;
  registeredBy: string;
  registeredAt: Date;
  registeredBlock: string;
  revokedBy: string | null;
  revokedAt: Date | null;
  revokedBlock: string | null;
}

export const MEMBER_COLUMNS = `m.account, m.kind::text AS kind, m.hospital_id AS "hospitalId", m.person_ref AS "personRef",
  m.specialty, m.device_patient_ref AS "devicePatientRef", m.active, m.registered_by AS "registeredBy",
  m.registered_at AS "registeredAt", m.registered_block::text AS "registeredBlock", m.revoked_by AS "revokedBy",
  m.revoked_at AS "revokedAt", m.revoked_block::text AS "revokedBlock"`;

export interface CareTeamRow {
  treatmentId: string;
  doctor: string;
  assignedBy: string;
  assignedAt: Date;
  assignedBlock: string;
}

export interface AttachmentRow {
  treatmentId: string;
  blockNumber: string;
  logIndex: number;
  kind: string;
  cid: string;
  actor: string;
  blockTime: Date;
  txHash: string;
  status: string;
  sizeBytes: string | null;
  contentType: string | null;
  verifiedAt: Date | null;
  lastError: string | null;
}

export interface EventRow {
  blockNumber: string;
  logIndex: number;
  blockHash: string;
  txHash: string;
  blockTime: Date;
  name: string;
  actor: string | null;
  treatmentId: string | null;
  patientRef: string | null;
  hospitalId: number | null;
  account: string | null;
  args: unknown;
}

/**
 * The columns every event source has, in one order: the table event_record, the view
 * vital_event (a vital's args rebuilt from `vital`) and the view event_log (both).
 */
export const LOG_COLUMNS = `e.block_number, e.log_index, e.block_hash, e.tx_hash, e.block_time, e.name, e.actor,
  e.treatment_id, e.patient_ref, e.hospital_id, e.account, e.args`;

/** Those columns as an EventRow. */
export const EVENT_COLUMNS = `e.block_number::text AS "blockNumber", e.log_index AS "logIndex", e.block_hash AS "blockHash",
  e.tx_hash AS "txHash", e.block_time AS "blockTime", e.name::text AS name, e.actor,
  e.treatment_id::text AS "treatmentId", e.patient_ref AS "patientRef", e.hospital_id AS "hospitalId",
  e.account, e.args`;

export interface VitalRow {
  time: Date;
  treatmentId: string | null;
  recorder: string | null;
  blockNumber: string | null;
  temperatureCentiC: number | null;
  systolicMmHg: number | null;
  diastolicMmHg: number | null;
  heartRateBpm: number | null;
  spo2Permille: number | null;
  count: number;
}

export interface RoleGrantRow {
  account: string;
  role: string;
  roleId: string;
  active: boolean;
  grantedBy: string;
  grantedAt: Date;
  grantedBlock: string;
  revokedBy: string | null;
  revokedAt: Date | null;
  revokedBlock: string | null;
}

export const ROLE_GRANT_COLUMNS = `g.account, g.role::text AS role, g.role_id AS "roleId", g.active, g.granted_by AS "grantedBy",
  g.granted_at AS "grantedAt", g.granted_block::text AS "grantedBlock", g.revoked_by AS "revokedBy",
  g.revoked_at AS "revokedAt", g.revoked_block::text AS "revokedBlock"`;

export interface AuditEventRow {
  id: string;
  at: Date;
  requestId: string;
  clientRequestId: string | null;
  viewer: string;
  viewerRoles: string[];
  operation: string;
  recordType: string;
  recordIds: string[];
  outcome: string;
  details: unknown;
}
