/** Calldata for patient registration and updates. */
import { encodeFunctionData } from "viem";
import { ValidationError } from "../../shared/errors.ts";
import { type Calldata, docTelAbi } from "./abi.ts";
import { type Hex32, reference } from "./fields.ts";
import { encodePatientData, type PatientInput } from "./patient.ts";

export interface PatientCallInput {
  patientRef: Hex32;
  data: PatientInput;
}

function ref(value: unknown): Hex32 {
  try {
    return reference(value);
  } catch (error) {
    throw new ValidationError(`invalid patient: patientRef ${(error as Error).message}`, {
      details: { fields: [{ field: "patientRef", message: (error as Error).message }] },
    });
  }
}

export function encodeRegisterPatient(input: PatientCallInput, options: { now?: Date } = {}): Calldata {
  const patientRef = ref(input.patientRef);
  const data = encodePatientData(input.data, options);
  return encodeFunctionData({ abi: docTelAbi, functionName: "registerPatient", args: [patientRef, data] });
}

export function encodeUpdatePatient(input: PatientCallInput, options: { now?: Date } = {}): Calldata {
  const patientRef = ref(input.patientRef);
  const data = encodePatientData(input.data, options);
  return encodeFunctionData({ abi: docTelAbi, functionName: "updatePatient", args: [patientRef, data] });
}
