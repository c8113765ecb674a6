/** Calldata for hospitals and members (staff, doctors, devices). Pure: validate, then ABI-encode. */
import { encodeFunctionData } from "viem";
import { z } from "zod";
import { type Calldata, docTelAbi } from "./abi.ts";
import {
  type Address,
  address,
  field,
  type Hex32,
  int,
  reference,
  shown,
  UINT16_MAX,
  UINT32_MAX,
} from "./fields.ts";
import { MAX_STATE_CODE, regionProblem } from "./region.ts";
import { specialtyCode } from "./specialty.ts";
import { parseInput } from "./validate.ts";

export const MAX_NAME_BYTES = 128;

function hospitalName(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new Error(`must be a non-empty name (got ${shown(value)})`);
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > MAX_NAME_BYTES)
    throw new Error(`must be at most ${MAX_NAME_BYTES} bytes of UTF-8 (got ${bytes})`);
  return value;
}

const hospitalId = field((v) => int(v, 1, UINT32_MAX));

export interface HospitalInput {
  name: string;
  stateCode: number;
  districtCode: number;
}

export function encodeRegisterHospital(input: HospitalInput): Calldata {
  const schema = z
    .object({
      name: field(hospitalName),
      stateCode: field((v) => int(v, 1, MAX_STATE_CODE)),
      districtCode: field((v) => int(v, 1, UINT16_MAX)),
    })
    .superRefine((d, ctx) => {
      const problem = regionProblem(d.stateCode, d.districtCode);
      if (problem)
        ctx.addIssue({ code: "custom", path: ["districtCode"], message: `is invalid: ${problem}` });
    });
  const h = parseInput(schema, input, "hospital");
  return encodeFunctionData({
    abi: docTelAbi,
    functionName: "registerHospital",
    args: [h.name, h.stateCode, h.districtCode],
  });
}

export interface StaffInput {
  account: Address;
  hospitalId: number;
  personRef: Hex32;
}

export function encodeRegisterStaff(input: StaffInput): Calldata {
  const s = parseInput(
    z.object({ account: field(address), hospitalId, personRef: field(reference) }),
    input,
    "staff registration",
  );
  return encodeFunctionData({
    abi: docTelAbi,
    functionName: "registerStaff",
    args: [s.account, s.hospitalId, s.personRef],
  });
}

export interface DoctorInput {
  account: Address;
  personRef: Hex32;
  /** Specialty code 1..64 or key ("CARDIOLOGY"), shared/reference/specialties.ts. */
  specialty: number | string;
}

export function encodeRegisterDoctor(input: DoctorInput): Calldata {
  const d = parseInput(
    z.object({
      account: field(address),
      personRef: field(reference),
      specialty: field(specialtyCode),
    }),
    input,
    "doctor registration",
  );
  return encodeFunctionData({
    abi: docTelAbi,
    functionName: "registerDoctor",
    args: [d.account, d.personRef, d.specialty],
  });
}

export interface DeviceInput {
  device: Address;
  patientRef: Hex32;
}

export function encodeRegisterDevice(input: DeviceInput): Calldata {
  const d = parseInput(
    z.object({ device: field(address), patientRef: field(reference) }),
    input,
    "device registration",
  );
  return encodeFunctionData({
    abi: docTelAbi,
    functionName: "registerDevice",
    args: [d.device, d.patientRef],
  });
}

export function encodeRevokeMember(input: { account: Address }): Calldata {
  const r = parseInput(z.object({ account: field(address) }), input, "revocation");
  return encodeFunctionData({ abi: docTelAbi, functionName: "revokeMember", args: [r.account] });
}
