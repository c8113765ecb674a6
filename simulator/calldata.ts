/**
 * Calldata for the simulator's high-volume calls, ABI-encoded by hand: the SDK's encoders
 * validate every field with a fresh zod schema per call (milliseconds each), too slow for a
 * million events. The simulator's values are valid by construction (checked here with plain
 * comparisons), and test/simulator/calldata.test.ts proves these bytes equal the SDK encoders'.
 * Rare set-up calls (hospitals, staff, doctors, roles) use the SDK encoders directly.
 */
import { toFunctionSelector } from "viem";
import { docTelAbi } from "../sdk/index.ts";
import { encodeIcd10 } from "../shared/reference/icd10.ts";
import type { Hex } from "./model.ts";
import type { PatientProfile } from "./population.ts";
import type { Reading } from "./vitals.ts";

type FunctionName = Extract<(typeof docTelAbi)[number], { type: "function" }>["name"];

function selector(name: FunctionName): string {
  const item = docTelAbi.find((i) => i.type === "function" && i.name === name);
  if (!item) throw new Error(`DocTel has no function ${name}`);
  return toFunctionSelector(item as Parameters<typeof toFunctionSelector>[0]).slice(2);
}

const SEL = {
  registerPatient: selector("registerPatient"),
  updatePatient: selector("updatePatient"),
  openTreatment: selector("openTreatment"),
  assignDoctor: selector("assignDoctor"),
  unassignDoctor: selector("unassignDoctor"),
  recordDiagnosis: selector("recordDiagnosis"),
  advanceStage: selector("advanceStage"),
  attachFile: selector("attachFile"),
  registerDevice: selector("registerDevice"),
  revokeMember: selector("revokeMember"),
  recordVitals: selector("recordVitals"),
  recordVitalsBatch: selector("recordVitalsBatch"),
  multicall: selector("multicall"),
} as const;

const ZERO_WORD = "0".repeat(64);

function uint(value: number | bigint, max: number | bigint, what: string): string {
  if (value < 0 || value > max || (typeof value === "number" && !Number.isInteger(value))) {
    throw new RangeError(`${what} ${value} is out of range`);
  }
  return value.toString(16).padStart(64, "0");
}

function int32(value: number, what: string): string {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31)
    throw new RangeError(`${what} ${value}`);
  if (value >= 0) return value.toString(16).padStart(64, "0");
  return (2n ** 256n + BigInt(value)).toString(16);
}

function bytes32(value: Hex, what: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new RangeError(`${what} must be a bytes32`);
  return value.slice(2).toLowerCase();
}

function address(value: Hex): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new RangeError(`${value} is not an address`);
  return value.slice(2).toLowerCase().padStart(64, "0");
}

const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffff_ffff;
const U40 = 2 ** 40 - 1;
const U64 = 2n ** 64n - 1n;

function patientWords(p: PatientProfile): string {
  return (
    uint(p.weightGrams, U32, "weightGrams") +
    uint(p.heightCm, U16, "heightCm") +
    uint(p.sex, U8, "sex") +
    uint(p.bloodGroup, U8, "bloodGroup") +
    int32(p.birthDate, "birthDate") +
    uint(p.stateCode, U8, "stateCode") +
    uint(p.districtCode, U16, "districtCode")
  );
}

function vitalsWords(r: Reading): string {
  return (
    uint(r.measuredAt, U40, "measuredAt") +
    uint(r.temperatureCentiC, U16, "temperatureCentiC") +
    uint(r.systolicMmHg, U16, "systolicMmHg") +
    uint(r.diastolicMmHg, U16, "diastolicMmHg") +
    uint(r.heartRateBpm, U16, "heartRateBpm") +
    uint(r.spo2Permille, U16, "spo2Permille")
  );
}

const id = (treatmentId: bigint) => uint(treatmentId, U64, "treatmentId");

export const fastCalldata = {
  registerPatient: (ref: Hex, p: PatientProfile): Hex =>
    `0x${SEL.registerPatient}${bytes32(ref, "patientRef")}${patientWords(p)}`,
  updatePatient: (ref: Hex, p: PatientProfile): Hex =>
    `0x${SEL.updatePatient}${bytes32(ref, "patientRef")}${patientWords(p)}`,
  openTreatment: (ref: Hex): Hex => `0x${SEL.openTreatment}${bytes32(ref, "patientRef")}`,
  assignDoctor: (treatmentId: bigint, doctor: Hex): Hex =>
    `0x${SEL.assignDoctor}${id(treatmentId)}${address(doctor)}`,
  unassignDoctor: (treatmentId: bigint, doctor: Hex): Hex =>
    `0x${SEL.unassignDoctor}${id(treatmentId)}${address(doctor)}`,
  recordDiagnosis: (treatmentId: bigint, icd10: string): Hex =>
    `0x${SEL.recordDiagnosis}${id(treatmentId)}${encodeIcd10(icd10).slice(2).padEnd(64, "0")}`,
  advanceStage: (treatmentId: bigint, stage: number): Hex =>
    `0x${SEL.advanceStage}${id(treatmentId)}${uint(stage, 4, "stage")}`,
  attachFile(treatmentId: bigint, kind: number, cid: string): Hex {
    const hex = Buffer.from(cid, "utf8").toString("hex");
    if (hex.length === 0 || hex.length > 256) throw new RangeError(`CID of ${hex.length / 2} bytes`);
    const padded = hex.padEnd(Math.ceil(hex.length / 64) * 64, "0");
    return `0x${SEL.attachFile}${id(treatmentId)}${uint(kind, 4, "kind")}${uint(0x60, U8, "offset")}${uint(hex.length / 2, U16, "length")}${padded}`;
  },
  registerDevice: (device: Hex, patientRef: Hex): Hex =>
    `0x${SEL.registerDevice}${address(device)}${bytes32(patientRef, "patientRef")}`,
  revokeMember: (account: Hex): Hex => `0x${SEL.revokeMember}${address(account)}`,
  recordVitals: (treatmentId: bigint, r: Reading): Hex =>
    `0x${SEL.recordVitals}${id(treatmentId)}${vitalsWords(r)}`,
  recordVitalsBatch(treatmentId: bigint, readings: readonly Reading[]): Hex {
    if (readings.length === 0 || readings.length > 512) throw new RangeError(`${readings.length} readings`);
    const parts = [
      `0x${SEL.recordVitalsBatch}`,
      id(treatmentId),
      uint(0x40, U8, "offset"),
      uint(readings.length, U16, "length"),
    ];
    for (const r of readings) parts.push(vitalsWords(r));
    return parts.join("") as Hex;
  },
  /** multicall(bytes[]): every call runs as the sender, all or nothing. */
  multicall(calls: readonly Hex[]): Hex {
    if (calls.length === 0) throw new RangeError("an empty multicall");
    const parts = [`0x${SEL.multicall}`, uint(0x20, U8, "offset"), uint(calls.length, U32, "length")];
    const tails: string[] = [];
    let offset = calls.length * 32;
    for (const call of calls) {
      parts.push(offset.toString(16).padStart(64, "0"));
      const body = call.slice(2);
      const bytes = body.length / 2;
      const padded = body.length % 64 === 0 ? body : body + ZERO_WORD.slice(body.length % 64);
      tails.push(bytes.toString(16).padStart(64, "0"), padded);
      offset += 32 + padded.length / 2;
    }
    return (parts.join("") + tails.join("")) as Hex;
  },
};
