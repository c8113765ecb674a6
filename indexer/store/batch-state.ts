import type { SqlValue } from "./bulk.ts";
import type {
  HospitalRow,
  MemberRow,
  PatientRow,
  RoleGrantRow,
  TreatmentDoctorRow,
  TreatmentRow,
} from "./rows.ts";

/**
 * Everything one batch of events changes. Current-state maps start with the rows loaded from
 * the database for the keys the batch touches (`baseline` keeps the treatments as loaded, for
 * rollup deltas); append-only rows are collected in COPY column order.
 */
export interface BatchState {
  hospitals: Map<number, HospitalRow>;
  members: Map<string, MemberRow>;
  roleGrants: Map<string, RoleGrantRow>;
  patients: Map<string, PatientRow>;
  treatments: Map<bigint, TreatmentRow>;
  treatmentBaseline: Map<bigint, TreatmentRow | null>;
  /** Touched assignments: the row to keep, or null to delete. Key `${treatmentId}:${doctor}`. */
  doctors: Map<string, TreatmentDoctorRow | { treatmentId: bigint; doctor: string; removed: true }>;
  /** Doctors revoked in this batch: all their assignments before the revocation end. */
  revokedDoctors: Set<string>;
  touchedPatients: Set<string>;
  touchedTreatments: Set<bigint>;
  touchedMembers: Set<string>;
  touchedRoleGrants: Set<string>;
  eventLog: SqlValue[][];
  vitals: SqlValue[][];
  attachments: SqlValue[][];
  patientHistory: SqlValue[][];
  accessHistory: SqlValue[][];
  cids: Set<string>;
  eventCounts: Map<string, number>;
}

export function createBatchState(): BatchState {
  return {
    hospitals: new Map(),
    members: new Map(),
    roleGrants: new Map(),
    patients: new Map(),
    treatments: new Map(),
    treatmentBaseline: new Map(),
    doctors: new Map(),
    revokedDoctors: new Set(),
    touchedPatients: new Set(),
    touchedTreatments: new Set(),
    touchedMembers: new Set(),
    touchedRoleGrants: new Set(),
    eventLog: [],
    vitals: [],
    attachments: [],
    patientHistory: [],
    accessHistory: [],
    cids: new Set(),
    eventCounts: new Map(),
  };
}

export const roleGrantKey = (account: string, roleId: string) => `${account}:${roleId}`;
export const doctorKey = (treatmentId: bigint, doctor: string) => `${treatmentId}:${doctor}`;
