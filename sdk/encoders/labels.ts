/**
 * The contract's uint8 enums, from shared/reference/enums.ts (index = on-chain value), with a
 * forgiving parser for SDK and CLI input: "discharged", "In-Treatment", "A+", "lab report" and
 * the numeric value itself all work.
 */
import {
  BLOOD_GROUP_TABLE,
  type BloodGroupLabel,
  FILE_KIND_TABLE,
  type FileKindLabel,
  type LabelTable,
  MEMBER_KIND_TABLE,
  type MemberKindLabel,
  SEX_TABLE,
  type SexLabel,
  STAGE_TABLE,
  type StageLabel,
} from "../../shared/reference/enums.ts";

export type Stage = StageLabel;
export type Sex = SexLabel;
export type BloodGroup = BloodGroupLabel | "A+" | "A-" | "B+" | "B-" | "AB+" | "AB-" | "O+" | "O-";
export type FileKind = FileKindLabel;
export type MemberKind = MemberKindLabel;

export const STAGES = STAGE_TABLE;
export const SEXES = SEX_TABLE;
export const BLOOD_GROUPS = BLOOD_GROUP_TABLE;
export const FILE_KINDS = FILE_KIND_TABLE;
export const MEMBER_KINDS = MEMBER_KIND_TABLE;

/**
 * The on-chain value of `value` in `table`: a label (any case; spaces or hyphens for
 * underscores; the table's aliases such as "A+") or the value itself. Throws an Error whose
 * message completes "<field> …".
 */
export function labelValue(table: LabelTable<string>, value: unknown): number {
  if (typeof value === "number" && table.isValid(value)) return value;
  if (typeof value === "string") {
    if (/^\s*\d+\s*$/.test(value) && table.isValid(Number(value))) return Number(value);
    try {
      return table.fromLabel(value);
    } catch {
      // fall through to one message
    }
  }
  throw new Error(
    `must be one of ${table.labels.join(", ")} (got ${JSON.stringify(value) ?? String(value)})`,
  );
}

/** The label of an on-chain value, or "UNKNOWN(n)" for a value outside the table. */
export function labelOf<L extends string>(table: LabelTable<L>, value: number): L | `UNKNOWN(${number})` {
  return table.isValid(value) ? table.label(value) : `UNKNOWN(${value})`;
}
