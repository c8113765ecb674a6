/**
 * ICD-10 codes as the contract stores them (shared/reference/icd10.ts): ASCII, left-aligned in a
 * bytes8, zero-padded. Input is normalized first: "e11.9" and "E119" are "E11.9".
 */
import { bytesToString, hexToBytes } from "viem";
import { encodeIcd10, parseIcd10 } from "../../shared/reference/icd10.ts";
import { shown } from "./fields.ts";

export type Bytes8 = `0x${string}`;

/** The canonical form ("E11.9"), or an Error whose message completes "icd10 …". */
export function normalizeIcd10(value: unknown): string {
  if (typeof value === "string") {
    try {
      return parseIcd10(value);
    } catch {
      // one message below
    }
  }
  throw new Error(
    `must be an ICD-10 code: a letter, a digit, a digit or letter, then optionally "." and 1-4 digits or letters, e.g. E11.9 (got ${shown(value)})`,
  );
}

/** "e11.9" → 0x4531312e39000000. */
export function icd10ToBytes8(value: unknown): Bytes8 {
  return encodeIcd10(normalizeIcd10(value));
}

/** Any bytes8 → its ASCII text, trailing zero bytes dropped (lenient: for error messages). */
export function bytes8ToIcd10(value: Bytes8): string {
  return bytesToString(hexToBytes(value))
    .replace(/\0+$/, "")
    .replace(/[^\x20-\x7e]/g, "?");
}
