/** The simulation's data: the cast of actors, hospitals, patients, episodes of care and the actions they take. */
import type { Aadhaar } from "../shared/identity/aadhaar.ts";
import type { District } from "../shared/reference/regions.ts";
import type { Disease } from "./diseases.ts";
import type { PatientProfile } from "./population.ts";

export type Hex = `0x${string}`;

export type ActorRole = "governance" | "staff" | "doctor" | "device" | "analyst" | "publicHealth" | "auditor";

export interface Actor {
  /** Position in the cast: also the order of this actor's transactions inside a block. */
  readonly id: number;
  readonly role: ActorRole;
  /** Undefined for governance when only its address is known. */
  readonly key: Hex | undefined;
  readonly address: Hex;
  readonly label: string;
  /** Index into Plan.hospitals (staff, doctors, devices). */
  readonly hospital?: number;
  readonly specialty?: number;
  /** Staff and doctors: their synthetic Aadhaar number and its reference. */
  readonly aadhaar?: Aadhaar;
  readonly personRef?: Hex;
  /** Devices: what they measure. */
  readonly deviceKind?: DeviceKind;
}

export type DeviceKind = "monitor" | "oximeter";

export interface Hospital {
  readonly index: number;
  /** The on-chain id it will get (hospitalCount at start + index + 1). */
  readonly id: number;
  readonly name: string;
  readonly district: District;
  /** Relative size: share of the episodes. */
  readonly weight: number;
  readonly staff: Actor[];
  readonly doctors: Actor[];
  readonly devices: Actor[];
}

export interface Patient {
  readonly index: number;
  readonly aadhaar: Aadhaar;
  readonly ref: Hex;
  readonly hospital: number;
  /** Demographics as last sent to the chain (updated by updatePatient). */
  profile: PatientProfile;
  registered: boolean;
  /** Last slot of the patient's latest episode: the next one starts after it. */
  busyUntil: number;
  episodes: number;
}

export interface Episode {
  readonly index: number;
  readonly patient: Patient;
  readonly hospital: number;
  readonly disease: Disease;
  readonly startSlot: number;
  readonly inpatient: boolean;
  readonly outbreak: boolean;
  /** The planned discharge (the illness eases towards it); set by the timeline. */
  dischargeSlot: number;
  /** Assigned when its openTreatment is encoded, in execution order. */
  treatmentId?: bigint;
}

export type FileKindName = "PRESCRIPTION" | "LAB_REPORT" | "IMAGING" | "DISCHARGE_SUMMARY" | "OTHER";

export interface FileSpec {
  readonly index: number;
  readonly episode: Episode;
  readonly kind: FileKindName;
  readonly slot: number;
  /** Set once uploaded (the locally computed CID, checked against the node's). */
  cid?: string;
  bytes?: number;
}

export interface VitalsWindow {
  /** Readings strictly after `fromTs`, up to and including `toTs` (unix seconds). */
  readonly fromTs: number;
  readonly toTs: number;
  readonly intervalSeconds: number;
  /** Index of this upload within its episode (seeds its readings). */
  readonly upload: number;
}

export type ActionBody =
  | { kind: "registerHospital"; hospital: Hospital }
  | { kind: "registerStaff"; member: Actor; hospitalId: number }
  | { kind: "registerDoctor"; member: Actor }
  | { kind: "grantRole"; role: "ANALYST" | "PUBLIC_HEALTH" | "AUDITOR"; member: Actor }
  | { kind: "registerPatient"; patient: Patient; profile: PatientProfile }
  | { kind: "updatePatient"; patient: Patient; profile: PatientProfile }
  | { kind: "openTreatment"; episode: Episode }
  | { kind: "assignDoctor"; episode: Episode; doctor: Actor }
  | { kind: "unassignDoctor"; episode: Episode; doctor: Actor }
  | { kind: "recordDiagnosis"; episode: Episode; code: string }
  | { kind: "advanceStage"; episode: Episode; stage: number }
  | { kind: "attachFile"; episode: Episode; file: FileSpec }
  | { kind: "registerDevice"; device: Actor; patient: Patient }
  | { kind: "revokeMember"; member: Actor }
  | { kind: "recordVitals"; episode: Episode; atTs: number }
  | { kind: "recordVitalsBatch"; episode: Episode; window: VitalsWindow; count: number };

export type ActionKind = ActionBody["kind"];

export type Action = ActionBody & {
  /** The hour of the simulated period it happens in (its block). */
  readonly slot: number;
  readonly caller: Actor;
  /** Creation order: keeps one caller's actions of a slot in dependency order. */
  readonly seq: number;
};

/** Events an action emits when it succeeds. */
export function eventsOf(action: Action): number {
  switch (action.kind) {
    case "openTreatment":
      return action.caller.role === "doctor" ? 2 : 1;
    case "recordVitalsBatch":
      return action.count;
    default:
      return 1;
  }
}
