/**
 * Current-state rows kept in memory between batches: the reducer folds each batch onto them, so
 * a batch only reads from the database the rows it has not seen yet. That is what lets the next
 * batch be prepared while the previous one is still being written: every row an unwritten batch
 * changed is here, and every row that is not here is unchanged in the database.
 *
 * Bounded: above `maxEntries` rows, everything is dropped except what the batch still being
 * written changed. Cleared whenever the database moves without us (restart, reorg rollback).
 */
import type { MemberRow, PatientRow, RoleGrantRow, TreatmentRow } from "./rows.ts";

export interface EntityCache {
  readonly members: Map<string, MemberRow>;
  readonly roleGrants: Map<string, RoleGrantRow>;
  readonly patients: Map<string, PatientRow>;
  readonly treatments: Map<bigint, TreatmentRow>;
  size(): number;
  /** Drops rows above the cap, keeping those in `pending` (changed by a batch not yet committed). */
  trim(pending: PendingKeys | null): void;
  clear(): void;
}

/** The keys a batch changed (its touched sets). */
export interface PendingKeys {
  touchedMembers: ReadonlySet<string>;
  touchedRoleGrants: ReadonlySet<string>;
  touchedPatients: ReadonlySet<string>;
  touchedTreatments: ReadonlySet<bigint>;
}

export function createEntityCache(maxEntries: number): EntityCache {
  const members = new Map<string, MemberRow>();
  const roleGrants = new Map<string, RoleGrantRow>();
  const patients = new Map<string, PatientRow>();
  const treatments = new Map<bigint, TreatmentRow>();
  const size = () => members.size + roleGrants.size + patients.size + treatments.size;

  function keepOnly<K, V>(map: Map<K, V>, keep: ReadonlySet<K> | undefined): void {
    if (!keep || keep.size === 0) {
      map.clear();
      return;
    }
    for (const key of map.keys()) if (!keep.has(key)) map.delete(key);
  }

  return {
    members,
    roleGrants,
    patients,
    treatments,
    size,
    trim(pending) {
      if (size() <= maxEntries) return;
      keepOnly(members, pending?.touchedMembers);
      keepOnly(roleGrants, pending?.touchedRoleGrants);
      keepOnly(patients, pending?.touchedPatients);
      keepOnly(treatments, pending?.touchedTreatments);
    },
    clear() {
      members.clear();
      roleGrants.clear();
      patients.clear();
      treatments.clear();
    },
  };
}
