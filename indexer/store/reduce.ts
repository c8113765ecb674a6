/**
 * Folds DocTel events, in chain order, into a BatchState: the current-state rows they change
 * and the append-only rows they add. Pure apart from the state it is given; the same fold
 * replays history after a reorg.
 */
import { BLOOD_GROUPS, FILE_KINDS, SEXES, STAGES } from "../../shared/reference/enums.ts";
import { ageBand, ageInYears } from "../../shared/reference/weeks.ts";
import type { DocTelEvent, EventByName } from "../decode/events.ts";
import { MissingEntityError } from "../errors.ts";
import type { BatchState } from "./batch-state.ts";
import { doctorKey, roleGrantKey } from "./batch-state.ts";
import { dayToDate, isoTime, reportingDay } from "./calendar.ts";
import { describeDiagnosis } from "./clinical.ts";
import { globalRoleOf } from "./roles.ts";
import type { MemberKindLabel, PatientRow, TreatmentRow } from "./rows.ts";

const MEMBER_KIND_LABELS: Readonly<Record<number, MemberKindLabel>> = {
  1: "STAFF",
  2: "DOCTOR",
  3: "DEVICE",
};

export { MissingEntityError };

const argsJson = (args: object) =>
  JSON.stringify(args, (_k, v) => (typeof v === "bigint" ? v.toString() : v));

interface Scope {
  actor?: string | null;
  treatmentId?: bigint | null;
  patientRef?: string | null;
  hospitalId?: number | null;
  account?: string | null;
  /** event_record.args as JSON text; default: the event's decoded args. */
  argsJson?: string;
}

function logEvent(state: BatchState, ev: DocTelEvent, scope: Scope): void {
  logEventRow(
    state,
    ev,
    scope.actor ?? null,
    scope.treatmentId ?? null,
    scope.patientRef ?? null,
    scope.hospitalId ?? null,
    scope.account ?? null,
    scope.argsJson ?? argsJson(ev.args),
  );
}

/** One event_record row (columns as in tables.ts). */
function logEventRow(
  state: BatchState,
  ev: DocTelEvent,
  actor: string | null,
  treatmentId: bigint | null,
  patientRef: string | null,
  hospitalId: number | null,
  account: string | null,
  args: string,
): void {
  state.eventLog
    .bigint(ev.blockNumber)
    .int(ev.logIndex)
    .plain(ev.blockHash)
    .plain(ev.txHash)
    .time(ev.blockTime)
    .plain(ev.eventName)
    .plainOrNull(actor)
    .bigintOrNull(treatmentId)
    .plainOrNull(patientRef)
    .intOrNull(hospitalId)
    .plainOrNull(account)
    .text(args)
    .end();
  countEvent(state, ev);
}

function countEvent(state: BatchState, ev: DocTelEvent): void {
  state.eventCounts.set(ev.eventName, (state.eventCounts.get(ev.eventName) ?? 0) + 1);
}

function treatmentOf(state: BatchState, id: bigint, ev: DocTelEvent): TreatmentRow {
  const t = state.treatments.get(id);
  if (!t) {
    throw new MissingEntityError(
      `${ev.eventName} at block ${ev.blockNumber} log ${ev.logIndex} names treatment ${id}, which the index has never seen opened`,
    );
  }
  return t;
}

/**
 * The treatment an event changes, marked as changed by it. Call before changing it: the first
 * change in a batch keeps a copy of the row as it was, for the rollup deltas.
 */
function changeTreatment(state: BatchState, id: bigint, ev: DocTelEvent): TreatmentRow {
  const t = treatmentOf(state, id, ev);
  if (!state.treatmentBaseline.has(id)) state.treatmentBaseline.set(id, { ...t });
  t.updatedAt = ev.blockTime;
  t.updatedBlock = ev.blockNumber;
  state.touchedTreatments.add(id);
  return t;
}

export function reduceEvent(state: BatchState, ev: DocTelEvent): void {
  if (!state.blocks.has(ev.blockNumber)) state.blocks.set(ev.blockNumber, [ev.blockHash, ev.blockTime]);
  const time = isoTime(ev.blockTime);
  switch (ev.eventName) {
    case "VitalsRecorded": {
      const a = ev.args;
      const t = treatmentOf(state, a.treatmentId, ev);
      const recorder = a.recorder.toLowerCase();
      // vital columns (tables.ts), in order; a reading not taken is 0 on-chain, NULL here. The
      // row is also the event's record: the view event_log shows it with its block's hash and time.
      state.vitals
        .bigint(ev.blockNumber)
        .int(ev.logIndex)
        .plain(ev.txHash)
        .bigint(a.treatmentId)
        .plain(t.patientRef)
        .plain(recorder)
        .time(a.measuredAt)
        .intOrNull(a.temperatureCentiC || null)
        .intOrNull(a.systolicMmHg || null)
        .intOrNull(a.diastolicMmHg || null)
        .intOrNull(a.heartRateBpm || null)
        .intOrNull(a.spo2Permille || null)
        .end();
      countEvent(state, ev);
      return;
    }
    case "HospitalRegistered": {
      const a = ev.args;
      const actor = a.actor.toLowerCase();
      state.hospitals.set(a.hospitalId, {
        id: a.hospitalId,
        name: a.name,
        stateCode: a.stateCode,
        districtCode: a.districtCode,
        registeredBy: actor,
        registeredAt: ev.blockTime,
        registeredBlock: ev.blockNumber,
        txHash: ev.txHash,
      });
      logEvent(state, ev, { actor, hospitalId: a.hospitalId });
      return;
    }
    case "StaffRegistered":
    case "DoctorRegistered":
    case "DeviceRegistered":
      registerMember(state, ev, time);
      return;
    case "MemberRevoked": {
      const a = ev.args;
      const account = a.account.toLowerCase();
      const actor = a.actor.toLowerCase();
      const m = state.members.get(account);
      if (!m)
        throw new MissingEntityError(
          `MemberRevoked at block ${ev.blockNumber} names ${account}, never registered`,
        );
      m.active = false;
      m.revokedBy = actor;
      m.revokedAt = ev.blockTime;
      m.revokedBlock = ev.blockNumber;
      state.touchedMembers.add(account);
      if (m.kind === "DOCTOR") {
        // Revocation ends every assignment of the doctor (the contract emits no DoctorUnassigned).
        state.revokedDoctors.add(account);
        for (const [key, d] of state.doctors) {
          if (d.doctor === account && !("removed" in d)) {
            state.doctors.set(key, { treatmentId: d.treatmentId, doctor: account, removed: true });
          }
        }
      }
      accessHistory(
        state,
        ev,
        time,
        account,
        "REVOKED",
        MEMBER_KIND_LABELS[a.kind] ?? null,
        null,
        null,
        a.hospitalId,
        actor,
      );
      logEvent(state, ev, { actor, hospitalId: a.hospitalId, account });
      return;
    }
    case "PatientRegistered":
    case "PatientUpdated":
      recordPatient(state, ev, time);
      return;
    case "TreatmentOpened": {
      const a = ev.args;
      const ref = a.patientRef.toLowerCase();
      const actor = a.actor.toLowerCase();
      const p = state.patients.get(ref);
      if (!p)
        throw new MissingEntityError(
          `treatment ${a.treatmentId} opened for patient ${ref}, never registered`,
        );
      const day = reportingDay(ev.blockTime);
      const age = ageInYears(p.birthDate, day);
      state.treatments.set(a.treatmentId, {
        id: a.treatmentId,
        patientRef: ref,
        hospitalId: a.hospitalId,
        stage: "ADMITTED",
        diagnosis: null,
        diagnosisCategory: null,
        diagnosisChapter: null,
        diagnosedBy: null,
        diagnosedAt: null,
        openedBy: actor,
        openedAt: ev.blockTime,
        openedBlock: ev.blockNumber,
        dischargedAt: null,
        closedAt: null,
        updatedAt: ev.blockTime,
        updatedBlock: ev.blockNumber,
        patientSex: p.sex,
        patientAgeBand: ageBand(p.birthDate, day),
        patientAgeYears: age,
        patientState: p.stateCode,
        patientDistrict: p.districtCode,
      });
      if (!state.treatmentBaseline.has(a.treatmentId)) state.treatmentBaseline.set(a.treatmentId, null);
      state.touchedTreatments.add(a.treatmentId);
      logEvent(state, ev, {
        actor,
        treatmentId: a.treatmentId,
        patientRef: ref,
        hospitalId: a.hospitalId,
      });
      return;
    }
    case "DoctorAssigned":
    case "DoctorUnassigned": {
      const a = ev.args;
      const t = changeTreatment(state, a.treatmentId, ev);
      const doctor = a.doctor.toLowerCase();
      const actor = a.actor.toLowerCase();
      state.doctors.set(
        doctorKey(a.treatmentId, doctor),
        ev.eventName === "DoctorAssigned"
          ? {
              treatmentId: a.treatmentId,
              doctor,
              assignedBy: actor,
              assignedAt: ev.blockTime,
              assignedBlock: ev.blockNumber,
              assignedLogIndex: ev.logIndex,
            }
          : { treatmentId: a.treatmentId, doctor, removed: true },
      );
      logEvent(state, ev, {
        actor,
        treatmentId: a.treatmentId,
        patientRef: t.patientRef,
        hospitalId: t.hospitalId,
        account: doctor,
      });
      return;
    }
    case "DiagnosisRecorded": {
      const a = ev.args;
      const t = changeTreatment(state, a.treatmentId, ev);
      const doctor = a.doctor.toLowerCase();
      const d = describeDiagnosis(a.icd10);
      t.diagnosis = d.code;
      t.diagnosisCategory = d.category;
      t.diagnosisChapter = d.chapter;
      t.diagnosedBy = doctor;
      t.diagnosedAt = ev.blockTime;
      logEvent(state, ev, {
        actor: doctor,
        treatmentId: a.treatmentId,
        patientRef: t.patientRef,
        hospitalId: t.hospitalId,
      });
      return;
    }
    case "FileAttached": {
      const a = ev.args;
      const t = changeTreatment(state, a.treatmentId, ev);
      const actor = a.actor.toLowerCase();
      state.attachments.push([
        ev.blockNumber,
        ev.logIndex,
        a.treatmentId,
        FILE_KINDS[a.kind] ?? "OTHER",
        a.cid,
        actor,
        time,
        ev.txHash,
      ]);
      state.cids.add(a.cid);
      logEvent(state, ev, {
        actor,
        treatmentId: a.treatmentId,
        patientRef: t.patientRef,
        hospitalId: t.hospitalId,
      });
      return;
    }
    case "StageAdvanced": {
      const a = ev.args;
      const t = changeTreatment(state, a.treatmentId, ev);
      const actor = a.actor.toLowerCase();
      const stage = STAGES[a.toStage];
      if (!stage)
        throw new MissingEntityError(
          `StageAdvanced at block ${ev.blockNumber} has unknown stage ${a.toStage}`,
        );
      t.stage = stage;
      if (a.toStage >= 3 && t.dischargedAt === null) t.dischargedAt = ev.blockTime;
      if (a.toStage === 4) t.closedAt = ev.blockTime;
      logEvent(state, ev, {
        actor,
        treatmentId: a.treatmentId,
        patientRef: t.patientRef,
        hospitalId: t.hospitalId,
      });
      return;
    }
    case "RoleGranted":
    case "RoleRevoked": {
      const a = ev.args;
      const account = a.account.toLowerCase();
      const actor = a.sender.toLowerCase();
      const roleId = a.role.toLowerCase();
      const key = roleGrantKey(account, roleId);
      const role = globalRoleOf(roleId);
      if (ev.eventName === "RoleGranted") {
        state.roleGrants.set(key, {
          account,
          role,
          roleId,
          active: true,
          grantedBy: actor,
          grantedAt: ev.blockTime,
          grantedBlock: ev.blockNumber,
          revokedBy: null,
          revokedAt: null,
          revokedBlock: null,
        });
      } else {
        const g = state.roleGrants.get(key);
        if (g) {
          g.active = false;
          g.revokedBy = actor;
          g.revokedAt = ev.blockTime;
          g.revokedBlock = ev.blockNumber;
        }
      }
      state.touchedRoleGrants.add(key);
      accessHistory(
        state,
        ev,
        time,
        account,
        ev.eventName === "RoleGranted" ? "GRANTED" : "REVOKED",
        null,
        role,
        roleId,
        null,
        actor,
      );
      logEvent(state, ev, { actor, account });
      return;
    }
    default:
      // Governance bookkeeping (admin transfer schedules, role admin changes): history only.
      logEvent(state, ev, {});
  }
}

function registerMember(
  state: BatchState,
  ev: EventByName<"StaffRegistered"> | EventByName<"DoctorRegistered"> | EventByName<"DeviceRegistered">,
  time: string,
): void {
  const actor = ev.args.actor.toLowerCase();
  const base = {
    hospitalId: ev.args.hospitalId,
    active: true,
    registeredBy: actor,
    registeredAt: ev.blockTime,
    registeredBlock: ev.blockNumber,
    revokedBy: null,
    revokedAt: null,
    revokedBlock: null,
  };
  let account: string;
  let kind: "STAFF" | "DOCTOR" | "DEVICE";
  let patientRef: string | null = null;
  if (ev.eventName === "DeviceRegistered") {
    account = ev.args.device.toLowerCase();
    kind = "DEVICE";
    patientRef = ev.args.patientRef.toLowerCase();
    state.members.set(account, {
      account,
      kind,
      personRef: null,
      specialty: null,
      devicePatientRef: patientRef,
      ...base,
    });
  } else if (ev.eventName === "DoctorRegistered") {
    account = ev.args.account.toLowerCase();
    kind = "DOCTOR";
    state.members.set(account, {
      account,
      kind,
      personRef: ev.args.personRef.toLowerCase(),
      specialty: ev.args.specialty,
      devicePatientRef: null,
      ...base,
    });
  } else {
    account = ev.args.account.toLowerCase();
    kind = "STAFF";
    state.members.set(account, {
      account,
      kind,
      personRef: ev.args.personRef.toLowerCase(),
      specialty: null,
      devicePatientRef: null,
      ...base,
    });
  }
  state.touchedMembers.add(account);
  accessHistory(state, ev, time, account, "GRANTED", kind, null, null, ev.args.hospitalId, actor);
  logEvent(state, ev, { actor, hospitalId: ev.args.hospitalId, account, patientRef });
}

function recordPatient(
  state: BatchState,
  ev: EventByName<"PatientRegistered"> | EventByName<"PatientUpdated">,
  time: string,
): void {
  const a = ev.args;
  const ref = a.patientRef.toLowerCase();
  const actor = a.actor.toLowerCase();
  const sex = SEXES[a.sex] ?? "UNKNOWN";
  const bloodGroup = BLOOD_GROUPS[a.bloodGroup] ?? "UNKNOWN";
  const registration = ev.eventName === "PatientRegistered";
  const previous = state.patients.get(ref);
  if (!registration && !previous) {
    throw new MissingEntityError(
      `PatientUpdated at block ${ev.blockNumber} names patient ${ref}, never registered`,
    );
  }
  const row: PatientRow = {
    ref,
    weightGrams: a.weightGrams,
    heightCm: a.heightCm,
    sex,
    bloodGroup,
    birthDate: a.birthDate,
    stateCode: a.stateCode,
    districtCode: a.districtCode,
    registeredHospitalId: registration || !previous ? a.hospitalId : previous.registeredHospitalId,
    registeredBy: registration || !previous ? actor : previous.registeredBy,
    registeredAt: registration || !previous ? ev.blockTime : previous.registeredAt,
    registeredBlock: registration || !previous ? ev.blockNumber : previous.registeredBlock,
    updatedAt: ev.blockTime,
    updatedBlock: ev.blockNumber,
    version: registration || !previous ? 1 : previous.version + 1,
  };
  state.patients.set(ref, row);
  state.touchedPatients.add(ref);
  state.patientHistory.push([
    ev.blockNumber,
    ev.logIndex,
    ref,
    registration,
    a.weightGrams,
    a.heightCm,
    sex,
    bloodGroup,
    dayToDate(a.birthDate),
    a.stateCode,
    a.districtCode,
    a.hospitalId,
    actor,
    time,
    ev.txHash,
  ]);
  logEvent(state, ev, { actor, patientRef: ref, hospitalId: a.hospitalId });
}

function accessHistory(
  state: BatchState,
  ev: DocTelEvent,
  time: string,
  account: string,
  action: "GRANTED" | "REVOKED",
  memberKind: string | null,
  role: string | null,
  roleId: string | null,
  hospitalId: number | null,
  actor: string,
): void {
  state.accessHistory.push([
    ev.blockNumber,
    ev.logIndex,
    account,
    action,
    memberKind,
    role,
    roleId,
    hospitalId,
    actor,
    time,
    ev.txHash,
  ]);
}
