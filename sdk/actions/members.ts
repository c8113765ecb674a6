/** Hospitals and members: register a hospital (governance), staff, doctors, devices; revoke. */
import type { DocTelContext } from "../context.ts";
import type { Address } from "../encoders/fields.ts";
import {
  encodeRegisterDevice,
  encodeRegisterDoctor,
  encodeRegisterHospital,
  encodeRegisterStaff,
  encodeRevokeMember,
  type HospitalInput,
} from "../encoders/members.ts";
import { UnexpectedError } from "../errors/classes.ts";
import type { ReferenceResolver } from "../references.ts";
import { eventsNamed, type TxResult, transact } from "../transact.ts";
import { PLACEHOLDER_REF } from "./placeholder.ts";

export async function registerHospital(
  ctx: DocTelContext,
  input: HospitalInput,
): Promise<TxResult & { hospitalId: number }> {
  const result = await transact(ctx, encodeRegisterHospital(input), "registerHospital");
  const hospitalId = eventsNamed(result, "HospitalRegistered")[0]?.args.hospitalId;
  if (hospitalId === undefined)
    throw new UnexpectedError(`registerHospital: transaction ${result.hash} emitted no HospitalRegistered`);
  return { ...result, hospitalId };
}

export interface StaffRegistration {
  account: Address;
  hospitalId: number;
  /** The staff member's Aadhaar number (turned into a reference; never sent). */
  aadhaar: string;
}

export async function registerStaff(
  ctx: DocTelContext,
  refs: ReferenceResolver,
  input: StaffRegistration,
): Promise<TxResult> {
  encodeRegisterStaff({ ...input, personRef: PLACEHOLDER_REF });
  const personRef = await refs.reference(input.aadhaar);
  return transact(ctx, encodeRegisterStaff({ ...input, personRef }), "registerStaff");
}

export interface DoctorRegistration {
  account: Address;
  aadhaar: string;
  specialty: number | string;
}

export async function registerDoctor(
  ctx: DocTelContext,
  refs: ReferenceResolver,
  input: DoctorRegistration,
): Promise<TxResult> {
  encodeRegisterDoctor({ ...input, personRef: PLACEHOLDER_REF });
  const personRef = await refs.reference(input.aadhaar);
  return transact(ctx, encodeRegisterDoctor({ ...input, personRef }), "registerDoctor");
}

export interface DeviceRegistration {
  device: Address;
  /** The Aadhaar number of the patient the device is bound to. */
  patientAadhaar: string;
}

export async function registerDevice(
  ctx: DocTelContext,
  refs: ReferenceResolver,
  input: DeviceRegistration,
): Promise<TxResult> {
  encodeRegisterDevice({ device: input.device, patientRef: PLACEHOLDER_REF });
  const patientRef = await refs.reference(input.patientAadhaar);
  return transact(ctx, encodeRegisterDevice({ device: input.device, patientRef }), "registerDevice");
}

export async function revokeMember(ctx: DocTelContext, input: { account: Address }): Promise<TxResult> {
  return transact(ctx, encodeRevokeMember(input), "revokeMember");
}
