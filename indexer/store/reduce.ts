/**
 * The reducer: what each DocTel event does to the read model, as named rows of the tables
 * prisma/schema.prisma declares (row types generated from it). One handler per event:
 *  - `keys`: the current-state rows it reads or writes, so they are loaded before the batch is
 *    folded (load-state.ts);
 *  - `apply`: the rows it adds (append-only tables) and the current-state rows it creates, changes
 *    or deletes, through BatchState's tables.
 * Everything else is generic: loading, writing, undo images for reorgs, rollback. A new event
 * type is a handler here (and its name in the schema's EventName enum); an event without one is
 * recorded in event_record only.
 */
import type {
  AccessHistoryRow,
  EventName,
  MemberKind,
  MemberRow,
  TreatmentRow,
} from "../../shared/db/generated/tables.ts";
import { BLOOD_GROUPS, FILE_KINDS, SEXES, STAGES } from "../../shared/reference/enums.ts";
import { ageBand, ageInYears } from "../../shared/reference/weeks.ts";
import type { DocTelEvent, DocTelEventName, EventByName } from "../decode/events.ts";
import { storedText } from "../decode/text.ts";
import { MissingEntityError } from "../errors.ts";
import type { BatchState } from "./batch-state.ts";
import { reportingDay } from "./calendar.ts";
import { describeDiagnosis } from "./clinical.ts";
import type { KeyRequests } from "./load-state.ts";
import { globalRoleOf } from "./roles.ts";

const MEMBER_KINDS: Readonly<Record<number, MemberKind>> = { 1: "STAFF", 2: "DOCTOR", 3: "DEVICE" };

interface Handler<E extends DocTelEvent> {
  keys?(ev: E, k: KeyRequests): void;
  apply(s: BatchState, ev: E): void;
}

type Handlers = { [N in DocTelEventName]?: Handler<EventByName<N>> };

/** The columns of an event_record row that depend on the event (the rest is its position). */
interface Scope {
  actor?: string | null;
  treatmentId?: bigint | null;
  patientRef?: string | null;
  hospitalId?: number | null;
  account?: string | null;
}

/**
 * The event's args as JSON (bigints as decimal strings). A string that is not valid text (a NUL,
 * bytes that are not UTF-8: the chain accepts any) is stored escaped, and its exact bytes under
 * `invalidText` (field name to 0x-hex).
 */
function argsJson(args: object): string {
  let invalid: Record<string, string> | null = null;
  const json = JSON.stringify(args, (k, v) => {
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "string" && k !== "" && (v.includes("\0") || !v.isWellFormed())) {
      const stored = storedText(v);
      if (stored.raw !== null) {
        invalid ??= {};
        invalid[k] = stored.raw;
        return stored.text;
      }
    }
    return v;
  });
  return invalid === null ? json : `${json.slice(0, -1)},"invalidText":${JSON.stringify(invalid)}}`;
}

/** The event's row of event_record (every event but VitalsRecorded, whose row is its vital). */
function record(s: BatchState, ev: DocTelEvent, scope: Scope): void {
  s.tables.eventRecord.add({
    blockNumber: ev.blockNumber,
    logIndex: ev.logIndex,
    txHash: ev.txHash,
    name: ev.eventName satisfies EventName,
    actor: scope.actor ?? null,
    treatmentId: scope.treatmentId ?? null,
    patientRef: scope.patientRef ?? null,
    hospitalId: scope.hospitalId ?? null,
    account: scope.account ?? null,
    args: argsJson(ev.args),
  });
}

/** The treatment an event changes (it must exist), its update time moved to the event's. */
function changeTreatment(s: BatchState, id: bigint, ev: DocTelEvent): TreatmentRow {
  existingTreatment(s, id, ev);
  const t = s.tables.treatment.change(id, ev);
  t.updatedAt = ev.blockTime;
  t.updatedBlock = ev.blockNumber;
  return t;
}

function existingTreatment(s: BatchState, id: bigint, ev: DocTelEvent): TreatmentRow {
  const t = s.tables.treatment.find(id);
  if (!t) {
    throw new MissingEntityError(
      `${ev.eventName} at block ${ev.blockNumber} log ${ev.logIndex} names treatment ${id}, which the index has never seen opened`,
    );
  }
  return t;
}

function accessHistory(
  s: BatchState,
  ev: DocTelEvent,
  row: Omit<AccessHistoryRow, "blockNumber" | "logIndex" | "txHash">,
): void {
  s.tables.accessHistory.add({
    blockNumber: ev.blockNumber,
    logIndex: ev.logIndex,
    txHash: ev.txHash,
    ...row,
  });
}

type MemberEvent =
  | EventByName<"StaffRegistered">
  | EventByName<"DoctorRegistered">
  | EventByName<"DeviceRegistered">;

const memberAccount = (ev: MemberEvent) =>
  (ev.eventName === "DeviceRegistered" ? ev.args.device : ev.args.account).toLowerCase();

const registerMember: Handler<MemberEvent> = {
  keys: (ev, k) => k.write("member", { account: memberAccount(ev) }),
  apply(s, ev) {
    const actor = ev.args.actor.toLowerCase();
    const account = memberAccount(ev);
    const kind: MemberKind =
      ev.eventName === "DeviceRegistered"
        ? "DEVICE"
        : ev.eventName === "DoctorRegistered"
          ? "DOCTOR"
          : "STAFF";
    const row: MemberRow = {
      account,
      kind,
      hospitalId: ev.args.hospitalId,
      personRef: ev.eventName === "DeviceRegistered" ? null : ev.args.personRef.toLowerCase(),
      specialty: ev.eventName === "DoctorRegistered" ? ev.args.specialty : null,
      devicePatientRef: ev.eventName === "DeviceRegistered" ? ev.args.patientRef.toLowerCase() : null,
      active: true,
      registeredBy: actor,
      registeredAt: ev.blockTime,
      registeredBlock: ev.blockNumber,
      revokedBy: null,
      revokedAt: null,
      revokedBlock: null,
    };
    s.tables.member.put(row, ev);
    accessHistory(s, ev, {
      account,
      action: "GRANTED",
      memberKind: kind,
      role: null,
      roleId: null,
      hospitalId: ev.args.hospitalId,
      actor,
    });
    record(s, ev, {
      actor,
      hospitalId: ev.args.hospitalId,
      account,
      patientRef: row.devicePatientRef,
    });
  },
};

const recordPatient: Handler<EventByName<"PatientRegistered"> | EventByName<"PatientUpdated">> = {
  keys(ev, k) {
    const key = { ref: ev.args.patientRef.toLowerCase() };
    if (ev.eventName === "PatientRegistered") k.write("patient", key);
    else k.read("patient", key);
  },
  apply(s, ev) {
    const a = ev.args;
    const ref = a.patientRef.toLowerCase();
    const actor = a.actor.toLowerCase();
    const sex = SEXES[a.sex] ?? "UNKNOWN";
    const bloodGroup = BLOOD_GROUPS[a.bloodGroup] ?? "UNKNOWN";
    const registration = ev.eventName === "PatientRegistered";
    const demographics = {
      weightGrams: a.weightGrams,
      heightCm: a.heightCm,
      sex,
      bloodGroup,
      birthDate: a.birthDate,
      stateCode: a.stateCode,
      districtCode: a.districtCode,
    };
    if (registration) {
      s.tables.patient.put(
        {
          ref,
          ...demographics,
          registeredHospitalId: a.hospitalId,
          registeredBy: actor,
          registeredAt: ev.blockTime,
          registeredBlock: ev.blockNumber,
          updatedAt: ev.blockTime,
          updatedBlock: ev.blockNumber,
          version: 1,
        },
        ev,
      );
    } else {
      if (!s.tables.patient.find(ref)) {
        throw new MissingEntityError(
          `PatientUpdated at block ${ev.blockNumber} names patient ${ref}, never registered`,
        );
      }
      const p = s.tables.patient.change(ref, ev);
      Object.assign(p, demographics);
      p.updatedAt = ev.blockTime;
      p.updatedBlock = ev.blockNumber;
      p.version += 1;
    }
    s.tables.patientHistory.add({
      blockNumber: ev.blockNumber,
      logIndex: ev.logIndex,
      patientRef: ref,
      registration,
      ...demographics,
      hospitalId: a.hospitalId,
      actor,
      txHash: ev.txHash,
    });
    record(s, ev, { actor, patientRef: ref, hospitalId: a.hospitalId });
  },
};

/** Events that act on an existing treatment: DoctorAssigned … StageAdvanced. */
const treatmentKey = (ev: { args: { treatmentId: bigint } }, k: KeyRequests) =>
  k.read("treatment", { id: ev.args.treatmentId });

const HANDLERS: Handlers = {
  VitalsRecorded: {
    keys: treatmentKey,
    apply(s, ev) {
      const a = ev.args;
      const t = existingTreatment(s, a.treatmentId, ev);
      // A reading not taken is 0 on-chain, NULL here. The row is also the event's record: the
      // view event_log shows it with its block's hash and time.
      s.tables.vital.add({
        blockNumber: ev.blockNumber,
        logIndex: ev.logIndex,
        txHash: ev.txHash,
        treatmentId: a.treatmentId,
        patientRef: t.patientRef,
        recorder: a.recorder.toLowerCase(),
        measuredAt: a.measuredAt,
        temperatureCentiC: a.temperatureCentiC || null,
        systolicMmHg: a.systolicMmHg || null,
        diastolicMmHg: a.diastolicMmHg || null,
        heartRateBpm: a.heartRateBpm || null,
        spo2Permille: a.spo2Permille || null,
      });
    },
  },
  HospitalRegistered: {
    keys: (ev, k) => k.write("hospital", { id: ev.args.hospitalId }),
    apply(s, ev) {
      const a = ev.args;
      const actor = a.actor.toLowerCase();
      const name = storedText(a.name);
      s.tables.hospital.put(
        {
          id: a.hospitalId,
          name: name.text,
          rawName: name.raw,
          stateCode: a.stateCode,
          districtCode: a.districtCode,
          registeredBy: actor,
          registeredAt: ev.blockTime,
          registeredBlock: ev.blockNumber,
          txHash: ev.txHash,
        },
        ev,
      );
      record(s, ev, { actor, hospitalId: a.hospitalId });
    },
  },
  StaffRegistered: registerMember,
  DoctorRegistered: registerMember,
  DeviceRegistered: registerMember,
  MemberRevoked: {
    keys(ev, k) {
      const account = ev.args.account.toLowerCase();
      k.read("member", { account });
      // A doctor's revocation ends every assignment (the contract emits no DoctorUnassigned).
      k.where("treatmentDoctor", "doctor", account);
    },
    apply(s, ev) {
      const a = ev.args;
      const account = a.account.toLowerCase();
      const actor = a.actor.toLowerCase();
      if (!s.tables.member.find(account)) {
        throw new MissingEntityError(
          `MemberRevoked at block ${ev.blockNumber} names ${account}, never registered`,
        );
      }
      const m = s.tables.member.change(account, ev);
      m.active = false;
      m.revokedBy = actor;
      m.revokedAt = ev.blockTime;
      m.revokedBlock = ev.blockNumber;
      if (m.kind === "DOCTOR") {
        const assignments = s.tables.treatmentDoctor;
        for (const d of assignments.where("doctor", account)) assignments.delete(assignments.key(d), d, ev);
      }
      accessHistory(s, ev, {
        account,
        action: "REVOKED",
        memberKind: MEMBER_KINDS[a.kind] ?? null,
        role: null,
        roleId: null,
        hospitalId: a.hospitalId,
        actor,
      });
      record(s, ev, { actor, hospitalId: a.hospitalId, account });
    },
  },
  PatientRegistered: recordPatient,
  PatientUpdated: recordPatient,
  TreatmentOpened: {
    keys(ev, k) {
      k.read("patient", { ref: ev.args.patientRef.toLowerCase() });
      k.write("treatment", { id: ev.args.treatmentId });
    },
    apply(s, ev) {
      const a = ev.args;
      const ref = a.patientRef.toLowerCase();
      const actor = a.actor.toLowerCase();
      const p = s.tables.patient.find(ref);
      if (!p)
        throw new MissingEntityError(
          `treatment ${a.treatmentId} opened for patient ${ref}, never registered`,
        );
      const day = reportingDay(ev.blockTime);
      s.tables.treatment.put(
        {
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
          patientAgeYears: ageInYears(p.birthDate, day),
          patientState: p.stateCode,
          patientDistrict: p.districtCode,
        },
        ev,
      );
      record(s, ev, { actor, treatmentId: a.treatmentId, patientRef: ref, hospitalId: a.hospitalId });
    },
  },
  DoctorAssigned: {
    keys(ev, k) {
      treatmentKey(ev, k);
      k.write("treatmentDoctor", { treatmentId: ev.args.treatmentId, doctor: ev.args.doctor.toLowerCase() });
    },
    apply(s, ev) {
      const a = ev.args;
      const t = changeTreatment(s, a.treatmentId, ev);
      const doctor = a.doctor.toLowerCase();
      const actor = a.actor.toLowerCase();
      s.tables.treatmentDoctor.put(
        {
          treatmentId: a.treatmentId,
          doctor,
          assignedBy: actor,
          assignedAt: ev.blockTime,
          assignedBlock: ev.blockNumber,
        },
        ev,
      );
      record(s, ev, {
        actor,
        treatmentId: a.treatmentId,
        patientRef: t.patientRef,
        hospitalId: t.hospitalId,
        account: doctor,
      });
    },
  },
  DoctorUnassigned: {
    keys(ev, k) {
      treatmentKey(ev, k);
      k.write("treatmentDoctor", { treatmentId: ev.args.treatmentId, doctor: ev.args.doctor.toLowerCase() });
    },
    apply(s, ev) {
      const a = ev.args;
      const t = changeTreatment(s, a.treatmentId, ev);
      const doctor = a.doctor.toLowerCase();
      const key = { treatmentId: a.treatmentId, doctor };
      s.tables.treatmentDoctor.delete(s.tables.treatmentDoctor.key(key), key, ev);
      record(s, ev, {
        actor: a.actor.toLowerCase(),
        treatmentId: a.treatmentId,
        patientRef: t.patientRef,
        hospitalId: t.hospitalId,
        account: doctor,
      });
    },
  },
  DiagnosisRecorded: {
    keys: treatmentKey,
    apply(s, ev) {
      const a = ev.args;
      const t = changeTreatment(s, a.treatmentId, ev);
      const doctor = a.doctor.toLowerCase();
      const d = describeDiagnosis(a.icd10);
      t.diagnosis = d.code;
      t.diagnosisCategory = d.category;
      t.diagnosisChapter = d.chapter;
      t.diagnosedBy = doctor;
      t.diagnosedAt = ev.blockTime;
      record(s, ev, {
        actor: doctor,
        treatmentId: a.treatmentId,
        patientRef: t.patientRef,
        hospitalId: t.hospitalId,
      });
    },
  },
  FileAttached: {
    keys: treatmentKey,
    apply(s, ev) {
      const a = ev.args;
      const t = changeTreatment(s, a.treatmentId, ev);
      const actor = a.actor.toLowerCase();
      // A CID that is not text (NUL, bytes that are not UTF-8) is stored escaped, with its bytes,
      // and its file is INVALID at once: it is never fetched.
      const cid = storedText(a.cid);
      s.tables.attachment.add({
        blockNumber: ev.blockNumber,
        logIndex: ev.logIndex,
        treatmentId: a.treatmentId,
        kind: FILE_KINDS[a.kind] ?? "OTHER",
        cid: cid.text,
        rawCid: cid.raw,
        actor,
        txHash: ev.txHash,
      });
      if (!s.files.has(cid.text)) {
        s.files.set(cid.text, {
          cid: cid.text,
          invalid: cid.problem === null ? null : `the CID is not valid text: it holds ${cid.problem}`,
        });
      }
      record(s, ev, {
        actor,
        treatmentId: a.treatmentId,
        patientRef: t.patientRef,
        hospitalId: t.hospitalId,
      });
    },
  },
  StageAdvanced: {
    keys: treatmentKey,
    apply(s, ev) {
      const a = ev.args;
      const stage = STAGES[a.toStage];
      if (!stage) {
        throw new MissingEntityError(
          `StageAdvanced at block ${ev.blockNumber} has unknown stage ${a.toStage}`,
        );
      }
      const t = changeTreatment(s, a.treatmentId, ev);
      t.stage = stage;
      if (a.toStage >= 3 && t.dischargedAt === null) t.dischargedAt = ev.blockTime;
      if (a.toStage === 4) t.closedAt = ev.blockTime;
      record(s, ev, {
        actor: a.actor.toLowerCase(),
        treatmentId: a.treatmentId,
        patientRef: t.patientRef,
        hospitalId: t.hospitalId,
      });
    },
  },
  RoleGranted: {
    keys: (ev, k) =>
      k.write("roleGrant", { account: ev.args.account.toLowerCase(), roleId: ev.args.role.toLowerCase() }),
    apply(s, ev) {
      const account = ev.args.account.toLowerCase();
      const actor = ev.args.sender.toLowerCase();
      const roleId = ev.args.role.toLowerCase();
      const role = globalRoleOf(roleId);
      s.tables.roleGrant.put(
        {
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
        },
        ev,
      );
      accessHistory(s, ev, {
        account,
        action: "GRANTED",
        memberKind: null,
        role,
        roleId,
        hospitalId: null,
        actor,
      });
      record(s, ev, { actor, account });
    },
  },
  RoleRevoked: {
    keys: (ev, k) =>
      k.read("roleGrant", { account: ev.args.account.toLowerCase(), roleId: ev.args.role.toLowerCase() }),
    apply(s, ev) {
      const account = ev.args.account.toLowerCase();
      const actor = ev.args.sender.toLowerCase();
      const roleId = ev.args.role.toLowerCase();
      const grants = s.tables.roleGrant;
      const key = grants.key({ account, roleId });
      // AccessControl emits RoleRevoked only for a role held, but nothing here relies on it.
      if (grants.find(key)) {
        const g = grants.change(key, ev);
        g.active = false;
        g.revokedBy = actor;
        g.revokedAt = ev.blockTime;
        g.revokedBlock = ev.blockNumber;
      }
      accessHistory(s, ev, {
        account,
        action: "REVOKED",
        memberKind: null,
        role: globalRoleOf(roleId),
        roleId,
        hospitalId: null,
        actor,
      });
      record(s, ev, { actor, account });
    },
  },
};

/** The rows `ev` reads or writes (see load-state.ts). */
export function keysOf(ev: DocTelEvent, k: KeyRequests): void {
  (HANDLERS[ev.eventName] as Handler<DocTelEvent> | undefined)?.keys?.(ev as never, k);
}

/** Folds one event into the batch. */
export function reduceEvent(s: BatchState, ev: DocTelEvent): void {
  if (!s.blocks.has(ev.blockNumber)) {
    s.blocks.add(ev.blockNumber);
    s.tables.eventBlock.add({ number: ev.blockNumber, hash: ev.blockHash, time: ev.blockTime });
  }
  s.eventCounts.set(ev.eventName, (s.eventCounts.get(ev.eventName) ?? 0) + 1);
  const handler = HANDLERS[ev.eventName] as Handler<DocTelEvent> | undefined;
  // Governance bookkeeping (admin transfer schedules, role admin changes): history only.
  if (handler) handler.apply(s, ev as never);
  else record(s, ev, {});
}
