/**
 * In-memory rows of the current-state tables, as the reducer folds events into them. Times
 * are unix seconds; dates are "YYYY-MM-DD"; enums use the database labels.
 */
import type { BloodGroupLabel, SexLabel, StageLabel } from "../../shared/reference/enums.ts";

export type { SexLabel, StageLabel } from "../../shared/reference/enums.ts";
export type MemberKindLabel = "STAFF" | "DOCTOR" | "DEVICE";
export type GlobalRoleLabel = "GOVERNANCE" | "ANALYST" | "PUBLIC_HEALTH" | "AUDITOR" | "OTHER";

export interface HospitalRow {
  id: number;
  name: string;
  stateCode: number;
  districtCode: number;
  registeredBy: string;
  registeredAt: number;
  registeredBlock: bigint;
  txHash: string;
}

export interface MemberRow {
  account: string;
  kind: MemberKindLabel;
  hospitalId: number;
  personRef: string | null;
  specialty: number | null;
  devicePatientRef: string | null;
  active: boolean;
  registeredBy: string;
  registeredAt: number;
  registeredBlock: bigint;
  revokedBy: string | null;
  revokedAt: number | null;
  revokedBlock: bigint | null;
}

export interface RoleGrantRow {
  account: string;
  role: GlobalRoleLabel;
  roleId: string;
  active: boolean;
  grantedBy: string;
  grantedAt: number;
  grantedBlock: bigint;
  revokedBy: string | null;
  revokedAt: number | null;
  revokedBlock: bigint | null;
}

export interface PatientRow {
  ref: string;
  weightGrams: number;
  heightCm: number;
  sex: SexLabel;
  bloodGroup: BloodGroupLabel;
  /** Days since 1970-01-01. */
  birthDate: number;
  stateCode: number;
  districtCode: number;
  registeredHospitalId: number;
  registeredBy: string;
  registeredAt: number;
  registeredBlock: bigint;
  updatedAt: number;
  updatedBlock: bigint;
  version: number;
}

export interface TreatmentRow {
  id: bigint;
  patientRef: string;
  hospitalId: number;
  stage: StageLabel;
  diagnosis: string | null;
  diagnosisCategory: string | null;
  diagnosisChapter: number | null;
  diagnosedBy: string | null;
  diagnosedAt: number | null;
  openedBy: string;
  openedAt: number;
  openedBlock: bigint;
  dischargedAt: number | null;
  closedAt: number | null;
  updatedAt: number;
  updatedBlock: bigint;
  patientSex: SexLabel;
  patientAgeBand: string;
  patientAgeYears: number;
  patientState: number;
  patientDistrict: number;
}

export interface TreatmentDoctorRow {
  treatmentId: bigint;
  doctor: string;
  assignedBy: string;
  assignedAt: number;
  assignedBlock: bigint;
  /** Position of the assignment within its block (not stored; orders it against revocations). */
  assignedLogIndex: number;
}
