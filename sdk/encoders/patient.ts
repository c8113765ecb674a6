/**
 * Patient demographics → the contract's PatientData tuple, with the contract's bounds checked
 * first so a bad field is reported by name before any transaction.
 */
import { z } from "zod";
import {
  MAX_AGE_DAYS,
  MAX_HEIGHT_CM,
  MAX_WEIGHT_GRAMS,
  MIN_WEIGHT_GRAMS,
} from "../../shared/reference/enums.ts";
import { field, int, shown, UINT16_MAX } from "./fields.ts";
import { BLOOD_GROUPS, type BloodGroup, labelValue, SEXES, type Sex } from "./labels.ts";
import { MAX_STATE_CODE, regionProblem } from "./region.ts";
import { parseInput } from "./validate.ts";

/** DocTel bounds (contract constants). */
export const PATIENT_BOUNDS = {
  MIN_WEIGHT_GRAMS,
  MAX_WEIGHT_GRAMS,
  MAX_HEIGHT_CM,
  /** Oldest accepted birth date, in days before today: 150 years. */
  MAX_AGE_DAYS,
} as const;

export interface PatientInput {
  weightGrams: number;
  heightCm: number;
  sex: Sex | Lowercase<Sex> | number;
  bloodGroup: BloodGroup | Lowercase<BloodGroup> | number;
  /** "YYYY-MM-DD", a Date, or whole days since 1970-01-01 (negative before). */
  birthDate: string | Date | number;
  stateCode: number;
  districtCode: number;
}

/** The ABI tuple PatientData. */
export interface PatientData {
  weightGrams: number;
  heightCm: number;
  sex: number;
  bloodGroup: number;
  birthDate: number;
  stateCode: number;
  districtCode: number;
}

const DAY_MS = 86_400_000;

function toEpochDays(value: unknown): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  let date: Date | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value.trim())) {
    date = new Date(`${value.trim()}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) !== value.trim()) date = undefined;
  }
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new Error(`must be a date as YYYY-MM-DD (got ${shown(value)})`);
  }
  return Math.floor(date.getTime() / DAY_MS);
}

function birthDate(value: unknown, now: Date): number {
  const days = toEpochDays(value);
  const today = Math.floor(now.getTime() / DAY_MS);
  const shownDate = new Date(days * DAY_MS).toISOString().slice(0, 10);
  if (days > today) throw new Error(`must not be in the future (got ${shownDate})`);
  if (days < today - PATIENT_BOUNDS.MAX_AGE_DAYS)
    throw new Error(`must be within the last 150 years (got ${shownDate})`);
  return days;
}

function patientSchema(now: Date) {
  return z
    .object({
      weightGrams: field((v) =>
        int(v, PATIENT_BOUNDS.MIN_WEIGHT_GRAMS, PATIENT_BOUNDS.MAX_WEIGHT_GRAMS, " g"),
      ),
      heightCm: field((v) => int(v, 1, PATIENT_BOUNDS.MAX_HEIGHT_CM, " cm")),
      sex: field((v) => labelValue(SEXES, v)),
      bloodGroup: field((v) => labelValue(BLOOD_GROUPS, v)),
      birthDate: field((v) => birthDate(v, now)),
      stateCode: field((v) => int(v, 1, MAX_STATE_CODE)),
      districtCode: field((v) => int(v, 1, UINT16_MAX)),
    })
    .superRefine((d, ctx) => {
      const problem = regionProblem(d.stateCode, d.districtCode);
      if (problem)
        ctx.addIssue({ code: "custom", path: ["districtCode"], message: `is invalid: ${problem}` });
    });
}

/**
 * Validates demographics against the contract's bounds and returns the ABI tuple. `now` is the
 * reference for the birth-date window (the contract uses the block's timestamp).
 */
export function encodePatientData(input: PatientInput, options: { now?: Date } = {}): PatientData {
  return parseInput(patientSchema(options.now ?? new Date()), input, "patient data");
}
