/** Doctor specialties: a code 1..64 or a key of shared/reference/specialties.ts ("CARDIOLOGY"). */
import { MAX_SPECIALTY, specialtyFromKey } from "../../shared/reference/specialties.ts";
import { shown } from "./fields.ts";

export { MAX_SPECIALTY };

export function specialtyCode(value: unknown): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_SPECIALTY)
    return value;
  if (typeof value === "string") {
    const trimmed = value.trim();
    if (/^\d+$/.test(trimmed) && Number(trimmed) >= 1 && Number(trimmed) <= MAX_SPECIALTY)
      return Number(trimmed);
    const byKey = specialtyFromKey(trimmed.replace(/[\s-]+/g, "_"));
    if (byKey) return byKey.code;
  }
  throw new Error(
    `must be a specialty code 1-${MAX_SPECIALTY} or a key such as GENERAL_MEDICINE or CARDIOLOGY (got ${shown(value)})`,
  );
}
