/**
 * The contract's uint8 enums as label tables (the index is the on-chain value), and its vitals
 * bounds and scaling. Keep in step with contracts/DocTel.sol: test/reference/enums.test.ts reads
 * the contract source and fails when they drift.
 */
import { ValidationError } from "../errors.ts";

export interface LabelTable<L extends string> {
  readonly labels: readonly L[];
  /** Other spellings fromLabel accepts (F for FEMALE, A+ for A_POS). */
  readonly aliases: readonly string[];
  /** The label of an on-chain value; throws ValidationError for a value the contract rejects. */
  label(value: number): L;
  /** The on-chain value of a label (case-insensitive; spaces and hyphens read as "_"). */
  fromLabel(label: string): number;
  isValid(value: number): boolean;
}

const normalizeLabel = (label: string) =>
  label
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, "_");

function labelTable<const L extends string>(
  field: string,
  labels: readonly L[],
  aliases: Readonly<Record<string, number>> = {},
): LabelTable<L> {
  const isValid = (value: number) => Number.isInteger(value) && value >= 0 && value < labels.length;
  return Object.freeze({
    labels,
    aliases: Object.keys(aliases),
    isValid,
    label(value: number): L {
      if (!isValid(value)) {
        throw new ValidationError(`${field} ${value} is out of range 0..${labels.length - 1}`, {
          details: { field },
        });
      }
      return labels[value]!;
    },
    fromLabel(label: string): number {
      const key = normalizeLabel(label);
      const value = (labels as readonly string[]).indexOf(key);
      if (value !== -1) return value;
      const alias = aliases[label.trim().toUpperCase()] ?? aliases[key];
      if (alias !== undefined) return alias;
      throw new ValidationError(
        `unknown ${field} "${label.slice(0, 32)}": expected one of ${labels.join(", ")}`,
        {
          details: { field },
        },
      );
    },
  });
}

// ------------------------------------------------------------------ Sex: 0 Unknown, 1 Female, 2 Male, 3 Other
export const SEXES = ["UNKNOWN", "FEMALE", "MALE", "OTHER"] as const;
export type SexLabel = (typeof SEXES)[number];
export const SEX = { UNKNOWN: 0, FEMALE: 1, MALE: 2, OTHER: 3 } as const satisfies Record<SexLabel, number>;
export const SEX_TABLE = labelTable("sex", SEXES, { U: 0, F: 1, M: 2, O: 3 });
export const sexLabel = (value: number): SexLabel => SEX_TABLE.label(value);
export const sexFromLabel = (label: string): number => SEX_TABLE.fromLabel(label);

// ------------------------------------------------------------------ BloodGroup: 0 Unknown, 1 A+ .. 8 O-
export const BLOOD_GROUPS = [
  "UNKNOWN",
  "A_POS",
  "A_NEG",
  "B_POS",
  "B_NEG",
  "AB_POS",
  "AB_NEG",
  "O_POS",
  "O_NEG",
] as const;
export type BloodGroupLabel = (typeof BLOOD_GROUPS)[number];
export const BLOOD_GROUP = {
  UNKNOWN: 0,
  A_POS: 1,
  A_NEG: 2,
  B_POS: 3,
  B_NEG: 4,
  AB_POS: 5,
  AB_NEG: 6,
  O_POS: 7,
  O_NEG: 8,
} as const satisfies Record<BloodGroupLabel, number>;
/** Display form by on-chain value: "A+", "AB-". */
export const BLOOD_GROUP_SYMBOLS = ["Unknown", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"] as const;
export const BLOOD_GROUP_TABLE = labelTable(
  "blood group",
  BLOOD_GROUPS,
  Object.fromEntries(BLOOD_GROUP_SYMBOLS.slice(1).map((symbol, i) => [symbol, i + 1])),
);
export const bloodGroupLabel = (value: number): BloodGroupLabel => BLOOD_GROUP_TABLE.label(value);
/** Accepts "A_POS" or "A+" (any case). */
export const bloodGroupFromLabel = (label: string): number => BLOOD_GROUP_TABLE.fromLabel(label);
export const bloodGroupSymbol = (value: number): string =>
  BLOOD_GROUP_SYMBOLS[BLOOD_GROUP_TABLE.isValid(value) ? value : 0]!;

// ------------------------------------------------------------------ Stage: 0 Admitted .. 4 Closed
export const STAGES = ["ADMITTED", "DIAGNOSED", "IN_TREATMENT", "DISCHARGED", "CLOSED"] as const;
export type StageLabel = (typeof STAGES)[number];
export const STAGE = {
  ADMITTED: 0,
  DIAGNOSED: 1,
  IN_TREATMENT: 2,
  DISCHARGED: 3,
  CLOSED: 4,
} as const satisfies Record<StageLabel, number>;
export const STAGE_TABLE = labelTable("stage", STAGES);
export const stageLabel = (value: number): StageLabel => STAGE_TABLE.label(value);
export const stageFromLabel = (label: string): number => STAGE_TABLE.fromLabel(label);

// ------------------------------------------------------------------ FileKind: 0 Prescription .. 4 Other
export const FILE_KINDS = ["PRESCRIPTION", "LAB_REPORT", "IMAGING", "DISCHARGE_SUMMARY", "OTHER"] as const;
export type FileKindLabel = (typeof FILE_KINDS)[number];
export const FILE_KIND = {
  PRESCRIPTION: 0,
  LAB_REPORT: 1,
  IMAGING: 2,
  DISCHARGE_SUMMARY: 3,
  OTHER: 4,
} as const satisfies Record<FileKindLabel, number>;
export const FILE_KIND_TABLE = labelTable("file kind", FILE_KINDS);
export const fileKindLabel = (value: number): FileKindLabel => FILE_KIND_TABLE.label(value);
export const fileKindFromLabel = (label: string): number => FILE_KIND_TABLE.fromLabel(label);

// ------------------------------------------------------------------ MemberKind: 0 None, 1 Staff, 2 Doctor, 3 Device
/** 0 is what `members(account)` returns for an account never registered or revoked. */
export const MEMBER_KINDS = ["NONE", "STAFF", "DOCTOR", "DEVICE"] as const;
export type MemberKindLabel = (typeof MEMBER_KINDS)[number];
export const MEMBER_KIND = { NONE: 0, STAFF: 1, DOCTOR: 2, DEVICE: 3 } as const satisfies Record<
  MemberKindLabel,
  number
>;
export const MEMBER_KIND_TABLE = labelTable("member kind", MEMBER_KINDS);
export const memberKindLabel = (value: number): MemberKindLabel => MEMBER_KIND_TABLE.label(value);
export const memberKindFromLabel = (label: string): number => MEMBER_KIND_TABLE.fromLabel(label);

// ------------------------------------------------------------------ patient and batch limits
export const MAX_HEIGHT_CM = 300;
export const MIN_WEIGHT_GRAMS = 200;
export const MAX_WEIGHT_GRAMS = 500_000;
/** Oldest accepted birth date, in days before the current block (150 years). */
export const MAX_AGE_DAYS = 54_787;
export const MAX_CID_LENGTH = 128;
export const MAX_NAME_LENGTH = 128;
export const MAX_VITALS_BATCH = 512;

// ------------------------------------------------------------------ vitals (scaled integers; 0 = not measured)
export const VITAL_BOUNDS = {
  temperatureCentiC: { min: 2500, max: 4500 },
  systolicMmHg: { min: 40, max: 300 },
  diastolicMmHg: { min: 20, max: 200 },
  heartRateBpm: { min: 20, max: 300 },
  spo2Permille: { min: 500, max: 1000 },
} as const;
export type VitalKey = keyof typeof VITAL_BOUNDS;

/** The `field` of the contract's VitalOutOfRange(field, value) error, by id. */
export const VITAL_FIELDS = [
  "TEMPERATURE",
  "SYSTOLIC",
  "DIASTOLIC",
  "HEART_RATE",
  "SPO2",
  "MEASURED_AT",
] as const;

/** True for 0 (not measured) or an integer inside the contract's bounds. */
export function isVitalInRange(key: VitalKey, value: number): boolean {
  const { min, max } = VITAL_BOUNDS[key];
  return Number.isInteger(value) && (value === 0 || (value >= min && value <= max));
}

function finite(value: number, unit: string): number {
  if (!Number.isFinite(value)) {
    throw new ValidationError(`${unit} must be a finite number, got ${value}`, { details: { field: unit } });
  }
  return value;
}

/** 37.2 °C -> 3720 (rounded to the nearest centi-degree). */
export const celsiusToCentiC = (celsius: number): number => Math.round(finite(celsius, "°C") * 100);
export const centiCToCelsius = (centiC: number): number => centiC / 100;
/** 98.6 °F -> 3700; Indian clinics often chart in Fahrenheit. */
export const fahrenheitToCentiC = (fahrenheit: number): number =>
  Math.round(((finite(fahrenheit, "°F") - 32) * 500) / 9);
export const centiCToFahrenheit = (centiC: number): number => (centiC * 9) / 500 + 32;
/** 97.5 % -> 975 (rounded to the nearest permille). */
export const percentToPermille = (percent: number): number => Math.round(finite(percent, "%") * 10);
export const permilleToPercent = (permille: number): number => permille / 10;
