/** Calldata for treatments: open, care team, diagnosis, files, stages, vitals. */
import { CID } from "multiformats/cid";
import { encodeFunctionData } from "viem";
import { z } from "zod";
import { ValidationError } from "../../shared/errors.ts";
import { type Calldata, docTelAbi } from "./abi.ts";
import { type Address, address, field, type Hex32, id64, reference, shown } from "./fields.ts";
import { icd10ToBytes8 } from "./icd10.ts";
import { FILE_KINDS, type FileKind, labelValue, STAGES, type Stage } from "./labels.ts";
import { parseInput } from "./validate.ts";
import { encodeVitals, encodeVitalsList, MAX_VITALS_BATCH, type VitalsInput } from "./vitals.ts";

export const MAX_CID_BYTES = 128;

/** A treatment id: a bigint, a safe integer or a decimal string, from 1. */
export type TreatmentId = bigint | number | string;

const treatmentId = field(id64);

function cidString(value: unknown): string {
  if (typeof value !== "string") throw new Error(`must be a CID such as bafy… (got ${shown(value)})`);
  let text: string;
  try {
    text = CID.parse(value.trim()).toString();
  } catch {
    throw new Error(`must be a CID such as bafy… (got ${shown(value)})`);
  }
  if (Buffer.byteLength(text) > MAX_CID_BYTES) throw new Error(`must be at most ${MAX_CID_BYTES} characters`);
  return text;
}

export function encodeOpenTreatment(input: { patientRef: Hex32 }): Calldata {
  const t = parseInput(z.object({ patientRef: field(reference) }), input, "treatment");
  return encodeFunctionData({ abi: docTelAbi, functionName: "openTreatment", args: [t.patientRef] });
}

export interface CareTeamInput {
  treatmentId: TreatmentId;
  doctor: Address;
}

const careTeam = z.object({ treatmentId, doctor: field(address) });

export function encodeAssignDoctor(input: CareTeamInput): Calldata {
  const c = parseInput(careTeam, input, "doctor assignment");
  return encodeFunctionData({
    abi: docTelAbi,
    functionName: "assignDoctor",
    args: [c.treatmentId, c.doctor],
  });
}

export function encodeUnassignDoctor(input: CareTeamInput): Calldata {
  const c = parseInput(careTeam, input, "doctor unassignment");
  return encodeFunctionData({
    abi: docTelAbi,
    functionName: "unassignDoctor",
    args: [c.treatmentId, c.doctor],
  });
}

export interface DiagnosisInput {
  treatmentId: TreatmentId;
  /** "E11.9", "e11.9", "A90". */
  icd10: string;
}

export function encodeRecordDiagnosis(input: DiagnosisInput): Calldata {
  const d = parseInput(z.object({ treatmentId, icd10: field(icd10ToBytes8) }), input, "diagnosis");
  return encodeFunctionData({
    abi: docTelAbi,
    functionName: "recordDiagnosis",
    args: [d.treatmentId, d.icd10],
  });
}

export interface AttachInput {
  treatmentId: TreatmentId;
  /** A label ("LAB_REPORT", "lab report") or 0..4. */
  kind: FileKind | Lowercase<FileKind> | number | (string & {});
  cid: string;
}

export function encodeAttachFile(input: AttachInput): Calldata {
  const a = parseInput(
    z.object({ treatmentId, kind: field((v) => labelValue(FILE_KINDS, v)), cid: field(cidString) }),
    input,
    "file attachment",
  );
  return encodeFunctionData({
    abi: docTelAbi,
    functionName: "attachFile",
    args: [a.treatmentId, a.kind, a.cid],
  });
}

export interface AdvanceInput {
  treatmentId: TreatmentId;
  /** "DIAGNOSED", "in-treatment", "discharged" or 0..4. */
  stage: Stage | Lowercase<Stage> | number | string;
}

export function encodeAdvanceStage(input: AdvanceInput): Calldata {
  const a = parseInput(
    z.object({ treatmentId, stage: field((v) => labelValue(STAGES, v)) }),
    input,
    "stage change",
  );
  return encodeFunctionData({ abi: docTelAbi, functionName: "advanceStage", args: [a.treatmentId, a.stage] });
}

export function encodeRecordVitals(
  input: { treatmentId: TreatmentId; vitals: VitalsInput },
  options: { now?: Date } = {},
): Calldata {
  const t = parseInput(z.object({ treatmentId }), { treatmentId: input.treatmentId }, "vitals");
  const v = encodeVitals(input.vitals, options);
  return encodeFunctionData({ abi: docTelAbi, functionName: "recordVitals", args: [t.treatmentId, v] });
}

/** One recordVitalsBatch call: 1 to 512 readings (see the client's recordVitalsBatch for chunking). */
export function encodeRecordVitalsBatch(
  input: { treatmentId: TreatmentId; readings: readonly VitalsInput[] },
  options: { now?: Date } = {},
): Calldata {
  const t = parseInput(z.object({ treatmentId }), { treatmentId: input.treatmentId }, "vitals");
  if (input.readings.length > MAX_VITALS_BATCH) {
    throw new ValidationError(
      `invalid vitals: a batch holds at most ${MAX_VITALS_BATCH} readings (got ${input.readings.length}); split it`,
      { details: { fields: [{ field: "readings", message: "too many readings" }] } },
    );
  }
  const readings = encodeVitalsList(input.readings, options);
  return encodeFunctionData({
    abi: docTelAbi,
    functionName: "recordVitalsBatch",
    args: [t.treatmentId, readings],
  });
}
