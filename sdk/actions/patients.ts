/** Patients: register and update demographics, identified by Aadhaar number. */
import type { DocTelContext } from "../context.ts";
import type { PatientInput } from "../encoders/patient.ts";
import { encodeRegisterPatient, encodeUpdatePatient } from "../encoders/patients.ts";
import type { ReferenceResolver } from "../references.ts";
import { type TxResult, transact } from "../transact.ts";
import { PLACEHOLDER_REF } from "./placeholder.ts";

export interface PatientRecordInput extends PatientInput {
  /** The patient's Aadhaar number (turned into a reference; never sent, logged or echoed). */
  aadhaar: string;
}

function split(input: PatientRecordInput): { aadhaar: string; data: PatientInput } {
  const { aadhaar, ...data } = input;
  return { aadhaar, data };
}

export async function registerPatient(
  ctx: DocTelContext,
  refs: ReferenceResolver,
  input: PatientRecordInput,
): Promise<TxResult> {
  const { aadhaar, data } = split(input);
  encodeRegisterPatient({ patientRef: PLACEHOLDER_REF, data });
  const patientRef = await refs.reference(aadhaar);
  return transact(ctx, encodeRegisterPatient({ patientRef, data }), "registerPatient");
}

export async function updatePatient(
  ctx: DocTelContext,
  refs: ReferenceResolver,
  input: PatientRecordInput,
): Promise<TxResult> {
  const { aadhaar, data } = split(input);
  encodeUpdatePatient({ patientRef: PLACEHOLDER_REF, data });
  const patientRef = await refs.reference(aadhaar);
  return transact(ctx, encodeUpdatePatient({ patientRef, data }), "updatePatient");
}
