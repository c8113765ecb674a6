/**
 * One human message per custom error of DocTel.sol (and the OpenZeppelin errors it inherits),
 * as the right DocTelError subclass: missing permission → ForbiddenError, bad input →
 * ValidationError, missing record → NotFoundError, state conflict → ConflictError.
 * Messages never contain an Aadhaar number or a person's reference.
 */
import { getAddress } from "viem";
import { type DocTelError, ForbiddenError, NotFoundError, ValidationError } from "../../shared/errors.ts";
import { bytes8ToIcd10 } from "../encoders/icd10.ts";
import { labelOf, STAGES } from "../encoders/labels.ts";
import { roleName } from "../encoders/roles.ts";
import { VITAL_BOUNDS, VITAL_FIELDS } from "../encoders/vitals.ts";
import { ConflictError, ContractRevertedError } from "./classes.ts";

type Args = readonly unknown[];
export type RevertKind = "invalid" | "notFound" | "forbidden" | "conflict" | "reverted";
type Described = readonly [RevertKind, string];
type Describe = (a: Args) => Described;

const addr = (value: unknown): string => getAddress(String(value));
const num = (value: unknown): string => String(value);
const stage = (value: unknown): string => labelOf(STAGES, Number(value));
const day = (value: unknown): string => new Date(Number(value) * 86_400_000).toISOString().slice(0, 10);
const isZeroAddress = (value: unknown): boolean => /^0x0{40}$/i.test(String(value));
const when = (seconds: unknown): string => new Date(Number(seconds) * 1000).toISOString();

const invalid = (m: string): Described => ["invalid", m];
const notFound = (m: string): Described => ["notFound", m];
const forbidden = (m: string): Described => ["forbidden", m];
const conflict = (m: string): Described => ["conflict", m];
const reverted = (m: string): Described => ["reverted", m];

function vitalOutOfRange(a: Args): Described {
  const name = VITAL_FIELDS[Number(a[0])] ?? `vital field ${num(a[0])}`;
  if (name === "measuredAt") {
    return invalid(
      `measuredAt ${num(a[1])} is zero or later than the block's timestamp (the chain's clock may trail yours: give an earlier time)`,
    );
  }
  const b = VITAL_BOUNDS[name as keyof typeof VITAL_BOUNDS];
  const range = b
    ? ` (allowed ${b.min}-${b.max}${b.unit}; a blood pressure needs both values, diastolic below systolic)`
    : "";
  return invalid(`${name} ${num(a[1])} is out of range${range}`);
}

export const REVERT_MESSAGES: Readonly<Record<string, Describe>> = {
  // ----------------------------------------------------------------- DocTel: input
  ZeroAddress: () => invalid("the zero address cannot be registered as a member"),
  ZeroReference: () => invalid("the person reference is zero (bytes32(0) is not a reference)"),
  InvalidName: () => invalid("the hospital name must be 1 to 128 bytes"),
  InvalidRegion: (a) =>
    invalid(
      `state ${num(a[0])} / district ${num(a[1])} is not a valid region (states 1-38, districts from 1)`,
    ),
  InvalidSpecialty: (a) => invalid(`specialty ${num(a[0])} is not a specialty code (1-64)`),
  InvalidWeight: (a) => invalid(`weight ${num(a[0])} g is outside 200 g to 500,000 g`),
  InvalidHeight: (a) => invalid(`height ${num(a[0])} cm is outside 1 to 300 cm`),
  InvalidSex: (a) => invalid(`sex ${num(a[0])} is not a sex code (0-3)`),
  InvalidBloodGroup: (a) => invalid(`blood group ${num(a[0])} is not a blood group code (0-8)`),
  InvalidBirthDate: (a) => invalid(`birth date ${day(a[0])} is in the future or more than 150 years ago`),
  InvalidIcd10: (a) =>
    invalid(`"${bytes8ToIcd10(a[0] as `0x${string}`)}" is not an ICD-10 code such as E11.9`),
  InvalidFileKind: (a) => invalid(`file kind ${num(a[0])} is not a file kind (0-4)`),
  InvalidCid: () => invalid("the CID must be 1 to 128 characters"),
  InvalidStage: (a) => invalid(`stage ${num(a[0])} does not exist (0-4: ${STAGES.labels.join(", ")})`),
  NotADoctor: (a) => invalid(`${addr(a[0])} is not a registered doctor`),
  EmptyVitals: () => invalid("no vital sign was given: a reading needs at least one measurement"),
  VitalOutOfRange: vitalOutOfRange,
  BatchTooLarge: (a) => invalid(`a batch of ${num(a[0])} readings is over the limit of ${num(a[1])}`),
  // ----------------------------------------------------------------- DocTel: records
  UnknownHospital: (a) => notFound(`hospital ${num(a[0])} does not exist`),
  UnknownPatient: () => notFound("no patient is registered with that Aadhaar number"),
  UnknownTreatment: (a) => notFound(`treatment ${num(a[0])} does not exist`),
  NotMember: (a) => notFound(`${addr(a[0])} is not a member (staff, doctor or device)`),
  // ----------------------------------------------------------------- DocTel: permissions
  NotGovernanceOrStaff: (a) =>
    Number(a[1]) === 0
      ? forbidden(`${addr(a[0])} is not staff of any hospital (only hospital staff may do this)`)
      : forbidden(`${addr(a[0])} is neither governance nor staff of hospital ${num(a[1])}`),
  NotClinician: (a) => forbidden(`${addr(a[0])} is neither staff nor a doctor of any hospital`),
  NotCareTeam: (a) =>
    forbidden(
      `${addr(a[0])} is neither staff of treatment ${num(a[1])}'s hospital nor a doctor assigned to it`,
    ),
  NotAssignedDoctor: (a) =>
    forbidden(
      `${addr(a[0])} is not a doctor assigned to treatment ${num(a[1])} (only assigned doctors diagnose)`,
    ),
  NotVitalsRecorder: (a) =>
    forbidden(
      `${addr(a[0])} may not record vitals for treatment ${num(a[1])}: it is neither staff of its hospital, an assigned doctor, nor a device bound to its patient`,
    ),
  // ----------------------------------------------------------------- DocTel: state
  AlreadyMember: (a) => conflict(`${addr(a[0])} is already a member; revoke it first to register it again`),
  DoctorAlreadyAssigned: (a) =>
    conflict(`doctor ${addr(a[1])} is already assigned to treatment ${num(a[0])}`),
  DoctorNotAssigned: (a) => conflict(`doctor ${addr(a[1])} is not assigned to treatment ${num(a[0])}`),
  PatientAlreadyRegistered: () =>
    conflict("a patient is already registered with that Aadhaar number (update the patient instead)"),
  StageNotForward: (a) =>
    conflict(
      `treatment ${num(a[0])} is already ${stage(a[1])}; stages only move forward (asked for ${stage(a[2])})`,
    ),
  DiagnosisRequired: (a) =>
    conflict(
      `treatment ${num(a[0])} has no diagnosis yet: record one before moving it to DIAGNOSED or later`,
    ),
  TreatmentClosed: (a) => conflict(`treatment ${num(a[0])} is closed`),
  TreatmentDischarged: (a) =>
    conflict(`treatment ${num(a[0])} is discharged: vitals can no longer be recorded`),
  // ----------------------------------------------------------------- OpenZeppelin access control
  AccessControlUnauthorizedAccount: (a) => forbidden(`${addr(a[0])} does not hold ${roleName(String(a[1]))}`),
  AccessControlBadConfirmation: () => invalid("an account can only renounce its own roles"),
  AccessControlEnforcedDefaultAdminRules: () =>
    invalid(
      "the governance role cannot be granted or revoked directly: use governance transfer, then accept",
    ),
  AccessControlInvalidDefaultAdmin: (a) =>
    isZeroAddress(a[0])
      ? invalid("the zero address cannot be governance")
      : forbidden(`${addr(a[0])} is not the pending governance account`),
  AccessControlEnforcedDefaultAdminDelay: (a) =>
    Number(a[0]) === 0
      ? conflict("no governance transfer is pending")
      : conflict(`the governance transfer can only be accepted after ${when(a[0])}`),
  SafeCastOverflowedUintDowncast: (a) => invalid(`value ${num(a[1])} does not fit in ${num(a[0])} bits`),
  AddressEmptyCode: (a) => reverted(`${addr(a[0])} has no contract code`),
  FailedCall: () => reverted("a call inside the multicall failed without a reason"),
};

const CLASSES = {
  invalid: ValidationError,
  notFound: NotFoundError,
  forbidden: ForbiddenError,
  conflict: ConflictError,
  reverted: ContractRevertedError,
} as const;

/** The DocTelError for a decoded custom error; an unknown name is kept in the message. */
export function describeRevert(
  errorName: string,
  args: Args,
  options: { cause?: unknown } = {},
): DocTelError {
  const describe = REVERT_MESSAGES[errorName];
  const [kind, message] = describe
    ? describe(args)
    : reverted(`the contract rejected the call (${errorName})`);
  return new CLASSES[kind](message, { cause: options.cause, details: { revert: errorName } });
}
