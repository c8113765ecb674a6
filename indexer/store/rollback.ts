/**
 * Undoes everything after a common ancestor, inside the caller's transaction. Append-only rows
 * after the ancestor are deleted; current-state rows they touched are rebuilt by replaying what
 * remains of their history in event_record through the same reducer; rollups get the difference.
 */
import type { PoolClient } from "pg";
import { type EventLogRow, reviveEvent } from "../decode/revive.ts";
import { createBatchState, roleGrantKey } from "./batch-state.ts";
import { TREATMENT_SELECT, treatmentFromRow } from "./load-state.ts";
import { reduceEvent } from "./reduce.ts";
import { addTreatmentDelta, createRollupDeltas } from "./rollups.ts";
import type { TreatmentDoctorRow, TreatmentRow } from "./rows.ts";
import {
  applyRollupDeltas,
  upsertMembers,
  upsertPatients,
  upsertRoleGrants,
  upsertTreatments,
} from "./write-batch.ts";

const MEMBER_EVENTS = ["StaffRegistered", "DoctorRegistered", "DeviceRegistered", "MemberRevoked"];
const ROLE_EVENTS = ["RoleGranted", "RoleRevoked"];
const PATIENT_EVENTS = ["PatientRegistered", "PatientUpdated"];

const EVENT_SELECT = `SELECT block_number::text, log_index, block_hash, tx_hash,
  extract(epoch from block_time)::float8 AS block_time, name::text, args FROM event_record e`;

export interface RollbackResult {
  events: number;
  treatments: number;
  patients: number;
}

export async function rollbackTo(client: PoolClient, ancestor: bigint): Promise<RollbackResult> {
  const a = ancestor.toString();
  const { rows: affected } = await client.query<{
    name: string;
    treatment_id: string | null;
    patient_ref: string | null;
    account: string | null;
    role: string | null;
    cid: string | null;
    kind: string | null;
  }>(
    `SELECT name::text, treatment_id::text, patient_ref, account, args->>'role' AS role,
            CASE WHEN name = 'FileAttached' THEN args->>'cid' END AS cid,
            CASE WHEN name = 'MemberRevoked' THEN args->>'kind' END AS kind
     FROM event_record WHERE block_number > $1`,
    [a],
  );
  const { rows: vitalCount } = await client.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM vital WHERE block_number > $1",
    [a],
  );
  const treatmentIds = new Set<string>();
  const patientRefs = new Set<string>();
  const accounts = new Set<string>();
  const roleKeys = new Set<string>();
  const cids = new Set<string>();
  const revokedDoctors = new Set<string>();
  for (const r of affected) {
    if (r.treatment_id) treatmentIds.add(r.treatment_id);
    if (PATIENT_EVENTS.includes(r.name) && r.patient_ref) patientRefs.add(r.patient_ref);
    if ((MEMBER_EVENTS.includes(r.name) || ROLE_EVENTS.includes(r.name)) && r.account)
      accounts.add(r.account);
    if (ROLE_EVENTS.includes(r.name) && r.account && r.role)
      roleKeys.add(roleGrantKey(r.account, r.role.toLowerCase()));
    if (r.cid) cids.add(r.cid);
    if (r.name === "MemberRevoked" && r.kind === "2" && r.account) revokedDoctors.add(r.account);
  }
  // A doctor's revocation ended all their assignments: undoing it revives them.
  if (revokedDoctors.size > 0) {
    const { rows } = await client.query<{ id: string }>(
      `SELECT DISTINCT treatment_id::text AS id FROM event_record
       WHERE name = 'DoctorAssigned' AND account = ANY($1::text[]) AND block_number <= $2`,
      [[...revokedDoctors], a],
    );
    for (const r of rows) treatmentIds.add(r.id);
  }

  // Treatments as they are now, for the rollup difference.
  const baseline = new Map<bigint, TreatmentRow>();
  if (treatmentIds.size > 0) {
    const { rows } = await client.query(`${TREATMENT_SELECT} WHERE id = ANY($1::bigint[])`, [
      [...treatmentIds],
    ]);
    for (const r of rows) {
      const t = treatmentFromRow(r);
      baseline.set(t.id, t);
    }
  }

  for (const table of ["event_record", "vital", "attachment", "patient_history", "access_history"]) {
    await client.query(`DELETE FROM ${table} WHERE block_number > $1`, [a]);
  }

  const state = createBatchState();
  const replay = async (where: string, params: unknown[]) => {
    const { rows } = await client.query<EventLogRow>(
      `${EVENT_SELECT} WHERE ${where} ORDER BY e.block_number, e.log_index`,
      params,
    );
    for (const row of rows) reduceEvent(state, reviveEvent(row));
  };

  // Patients: replay each touched patient's remaining demographics history.
  if (patientRefs.size > 0) {
    await replay(`name = ANY($1::event_name[]) AND patient_ref = ANY($2::text[])`, [
      PATIENT_EVENTS,
      [...patientRefs],
    ]);
  }
  // Treatments opened before the ancestor keep their opening snapshot; the rest is replayed.
  const survivors: TreatmentRow[] = [];
  for (const t of baseline.values()) {
    if (t.openedBlock > ancestor) continue;
    const reset: TreatmentRow = {
      ...t,
      stage: "ADMITTED",
      diagnosis: null,
      diagnosisCategory: null,
      diagnosisChapter: null,
      diagnosedBy: null,
      diagnosedAt: null,
      dischargedAt: null,
      closedAt: null,
      updatedAt: t.openedAt,
      updatedBlock: t.openedBlock,
    };
    state.treatments.set(t.id, reset);
    state.touchedTreatments.add(t.id);
    survivors.push(reset);
  }
  if (survivors.length > 0) {
    await replay(`treatment_id = ANY($1::bigint[]) AND name = ANY($2::event_name[])`, [
      survivors.map((t) => t.id.toString()),
      ["DoctorAssigned", "DoctorUnassigned", "DiagnosisRecorded", "FileAttached", "StageAdvanced"],
    ]);
  }
  if (accounts.size > 0) {
    await replay(`name = ANY($1::event_name[]) AND account = ANY($2::text[])`, [
      [...MEMBER_EVENTS, ...ROLE_EVENTS],
      [...accounts],
    ]);
  }

  // Current state: rewrite what survives, delete what no longer exists.
  const gone = [...baseline.values()].filter((t) => t.openedBlock > ancestor).map((t) => t.id.toString());
  if (treatmentIds.size > 0) {
    await client.query("DELETE FROM treatment_doctor WHERE treatment_id = ANY($1::bigint[])", [
      [...treatmentIds],
    ]);
  }
  if (gone.length > 0) await client.query("DELETE FROM treatment WHERE id = ANY($1::bigint[])", [gone]);
  await upsertTreatments(client, survivors);
  const doctors = await liveAssignments(client, state);
  if (doctors.length > 0) {
    await client.query(
      `INSERT INTO treatment_doctor (treatment_id, doctor, assigned_by, assigned_at, assigned_block)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::bigint[])`,
      [
        doctors.map((d) => d.treatmentId.toString()),
        doctors.map((d) => d.doctor),
        doctors.map((d) => d.assignedBy),
        doctors.map((d) => new Date(d.assignedAt * 1000).toISOString()),
        doctors.map((d) => d.assignedBlock.toString()),
      ],
    );
  }

  const keptPatients = [...patientRefs].filter((r) => state.patients.has(r));
  const droppedPatients = [...patientRefs].filter((r) => !state.patients.has(r));
  if (droppedPatients.length > 0)
    await client.query("DELETE FROM patient WHERE ref = ANY($1::text[])", [droppedPatients]);
  await upsertPatients(
    client,
    keptPatients.map((r) => state.patients.get(r)!),
  );

  const memberAccounts = [...accounts];
  const droppedMembers = memberAccounts.filter((m) => !state.members.has(m));
  if (droppedMembers.length > 0)
    await client.query("DELETE FROM member WHERE account = ANY($1::text[])", [droppedMembers]);
  await upsertMembers(
    client,
    memberAccounts.filter((m) => state.members.has(m)).map((m) => state.members.get(m)!),
  );

  const droppedGrants = [...roleKeys].filter((k) => !state.roleGrants.has(k));
  for (const key of droppedGrants) {
    const [account, roleId] = key.split(":");
    await client.query("DELETE FROM role_grant WHERE account = $1 AND role_id = $2", [account, roleId]);
  }
  await upsertRoleGrants(
    client,
    [...roleKeys].filter((k) => state.roleGrants.has(k)).map((k) => state.roleGrants.get(k)!),
  );

  await client.query("DELETE FROM hospital WHERE registered_block > $1", [a]);

  const deltas = createRollupDeltas();
  for (const before of baseline.values())
    addTreatmentDelta(deltas, before, state.treatments.get(before.id) ?? null);
  await applyRollupDeltas(client, deltas);

  if (cids.size > 0) {
    await client.query(
      `DELETE FROM file_verification f WHERE f.cid = ANY($1::text[])
       AND NOT EXISTS (SELECT 1 FROM attachment a WHERE a.cid = f.cid)`,
      [[...cids]],
    );
  }
  await client.query("DELETE FROM chain_block WHERE number > $1", [a]);
  await client.query("DELETE FROM event_block WHERE number > $1", [a]);

  return {
    events: affected.length + Number(vitalCount[0]?.n ?? 0),
    treatments: treatmentIds.size,
    patients: patientRefs.size,
  };
}

/** Assignments the replay kept, minus those a later (remaining) revocation of the doctor ended. */
async function liveAssignments(
  client: PoolClient,
  state: ReturnType<typeof createBatchState>,
): Promise<TreatmentDoctorRow[]> {
  const candidates = [...state.doctors.values()].filter((d): d is TreatmentDoctorRow => !("removed" in d));
  if (candidates.length === 0) return [];
  const { rows } = await client.query<{ account: string; block_number: string; log_index: number }>(
    `SELECT DISTINCT ON (e.account) e.account, e.block_number::text, e.log_index FROM event_record e
     WHERE e.name = 'MemberRevoked' AND e.account = ANY($1::text[])
     ORDER BY e.account, e.block_number DESC, e.log_index DESC`,
    [[...new Set(candidates.map((d) => d.doctor))]],
  );
  const lastRevocation = new Map(
    rows.map((r) => [r.account, { block: BigInt(r.block_number), log: r.log_index }]),
  );
  return candidates.filter((d) => {
    const r = lastRevocation.get(d.doctor);
    return !r || r.block < d.assignedBlock || (r.block === d.assignedBlock && r.log < d.assignedLogIndex);
  });
}
