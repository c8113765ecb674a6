import type { SqlValue } from "./bulk.ts";
import { CopyWriter } from "./copy-writer.ts";
import type { EntityCache } from "./entity-cache.ts";
import type {
  HospitalRow,
  MemberRow,
  PatientRow,
  RoleGrantRow,
  TreatmentDoctorRow,
  TreatmentRow,
} from "./rows.ts";

/**
 * Everything one batch of events changes. The current-state maps are the store's EntityCache
 * (rows carried over from earlier batches, plus those loaded for this one) or, for a rollback's
 * replay, maps of its own; `treatmentBaseline` keeps each treatment as it was before the batch
 * first changed it, for rollup deltas. Append-only rows are collected in COPY column order.
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
  /** event_record and vital rows, written as they are folded (COPY text, columns as in tables.ts). */
  eventLog: CopyWriter;
  vitals: CopyWriter;
  /** The blocks the events are in: number → [hash, time]. */
  blocks: Map<bigint, readonly [string, number]>;
  attachments: SqlValue[][];
  patientHistory: SqlValue[][];
  accessHistory: SqlValue[][];
  cids: Set<string>;
  eventCounts: Map<string, number>;
}

export function createBatchState(
  entities: Pick<EntityCache, "members" | "roleGrants" | "patients" | "treatments"> = {
    members: new Map(),
    roleGrants: new Map(),
    patients: new Map(),
    treatments: new Map(),
  },
): BatchState {
  return {
    hospitals: new Map(),
    members: entities.members,
    roleGrants: entities.roleGrants,
    patients: entities.patients,
    treatments: entities.treatments,
    treatmentBaseline: new Map(),
    doctors: new Map(),
    revokedDoctors: new Set(),
    touchedPatients: new Set(),
    touchedTreatments: new Set(),
    touchedMembers: new Set(),
    touchedRoleGrants: new Set(),
    eventLog: new CopyWriter(),
    vitals: new CopyWriter(),
    blocks: new Map(),
    attachments: [],
    patientHistory: [],
    accessHistory: [],
    cids: new Set(),
    eventCounts: new Map(),
  };
}

export const roleGrantKey = (account: string, roleId: string) => `${account}:${roleId}`;
export const doctorKey = (treatmentId: bigint, doctor: string) => `${treatmentId}:${doctor}`;
