/**
 * Vital signs → the contract's Vitals tuple (scaled integers, 0 = not measured), with the
 * contract's ranges checked first and reported by field (and index, in a batch).
 */
import { z } from "zod";
import { VITAL_BOUNDS as B, MAX_VITALS_BATCH } from "../../shared/reference/enums.ts";
import { field, optionalInt, shown, UINT40_MAX } from "./fields.ts";
import { parseInput } from "./validate.ts";

/** The contract's bounds (shared/reference/enums.ts) with units for messages. */
export const VITAL_BOUNDS = {
  temperatureCentiC: { ...B.temperatureCentiC, unit: " (centi-°C)" },
  systolicMmHg: { ...B.systolicMmHg, unit: " mmHg" },
  diastolicMmHg: { ...B.diastolicMmHg, unit: " mmHg" },
  heartRateBpm: { ...B.heartRateBpm, unit: " bpm" },
  spo2Permille: { ...B.spo2Permille, unit: " ‰" },
} as const;

/** Readings per recordVitalsBatch transaction (DocTel.MAX_VITALS_BATCH). */
export { MAX_VITALS_BATCH };

/** The contract's field ids in VitalOutOfRange(field, value), as input field names. */
export const VITAL_FIELDS = [
  "temperatureCentiC",
  "systolicMmHg",
  "diastolicMmHg",
  "heartRateBpm",
  "spo2Permille",
  "measuredAt",
] as const;

export interface VitalsInput {
  /** When measured: a Date, an ISO string, or Unix seconds. Not in the future. */
  measuredAt: Date | string | number | bigint;
  /** 37.2 °C is 3720. */
  temperatureCentiC?: number;
  systolicMmHg?: number;
  diastolicMmHg?: number;
  heartRateBpm?: number;
  /** 98.5 % is 985. */
  spo2Permille?: number;
}

/** The ABI tuple Vitals. */
export interface Vitals {
  measuredAt: number;
  temperatureCentiC: number;
  systolicMmHg: number;
  diastolicMmHg: number;
  heartRateBpm: number;
  spo2Permille: number;
}

function unixSeconds(value: unknown, now: Date): number {
  let seconds: number | undefined;
  if (value instanceof Date) seconds = Math.floor(value.getTime() / 1000);
  else if (typeof value === "number" && Number.isInteger(value)) seconds = value;
  else if (typeof value === "bigint" && value <= BigInt(UINT40_MAX)) seconds = Number(value);
  else if (typeof value === "string" && value.trim() !== "") {
    const trimmed = value.trim();
    seconds = /^\d+$/.test(trimmed) ? Number(trimmed) : Math.floor(Date.parse(trimmed) / 1000);
  }
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 1 || seconds > UINT40_MAX) {
    throw new Error(`must be a time (a Date, an ISO string or Unix seconds) (got ${shown(value)})`);
  }
  if (seconds > Math.floor(now.getTime() / 1000)) {
    throw new Error(`must not be in the future (got ${new Date(seconds * 1000).toISOString()})`);
  }
  return seconds;
}

function vital(name: keyof typeof VITAL_BOUNDS) {
  const b = VITAL_BOUNDS[name];
  return field((v) => optionalInt(v, b.min, b.max, b.unit));
}

export function vitalsSchema(now: Date) {
  return z
    .object({
      measuredAt: field((v) => unixSeconds(v, now)),
      temperatureCentiC: vital("temperatureCentiC"),
      systolicMmHg: vital("systolicMmHg"),
      diastolicMmHg: vital("diastolicMmHg"),
      heartRateBpm: vital("heartRateBpm"),
      spo2Permille: vital("spo2Permille"),
    })
    .superRefine((v, ctx) => {
      const measured =
        v.temperatureCentiC + v.systolicMmHg + v.diastolicMmHg + v.heartRateBpm + v.spo2Permille;
      if (measured === 0) {
        ctx.addIssue({ code: "custom", path: [], message: "must contain at least one measurement" });
      }
      if ((v.systolicMmHg === 0) !== (v.diastolicMmHg === 0)) {
        ctx.addIssue({
          code: "custom",
          path: ["diastolicMmHg"],
          message: "and systolicMmHg form a blood pressure: give both or neither",
        });
      } else if (v.systolicMmHg !== 0 && v.diastolicMmHg >= v.systolicMmHg) {
        ctx.addIssue({
          code: "custom",
          path: ["diastolicMmHg"],
          message: `must be below systolicMmHg (got ${v.diastolicMmHg}/${v.systolicMmHg})`,
        });
      }
    });
}

/** Validates one reading against the contract's ranges and returns the ABI tuple. */
export function encodeVitals(input: VitalsInput, options: { now?: Date } = {}): Vitals {
  return parseInput(vitalsSchema(options.now ?? new Date()), input, "vitals");
}

/** Validates a batch (any length; chunking is the caller's job) and reports bad readings by index. */
export function encodeVitalsList(inputs: readonly VitalsInput[], options: { now?: Date } = {}): Vitals[] {
  const schema = z.array(vitalsSchema(options.now ?? new Date())).min(1, "must contain at least one reading");
  return parseInput(z.object({ readings: schema }), { readings: inputs }, "vitals").readings;
}
