/**
 * The masked Aadhaar number (last four digits) of patients looked up in this tab, by reference:
 * from what the user typed, never from the API (which never returns one). Memory only: never in a
 * URL, storage or history state, so a reload shows the patient without it.
 */
import { type Aadhaar, maskAadhaar } from "../../../../../shared/identity/aadhaar.ts";

const typed = new Map<string, string>();

export function rememberTypedAadhaar(ref: string, aadhaar: string): void {
  typed.set(ref.toLowerCase(), maskAadhaar(aadhaar as Aadhaar));
}

export function maskedAadhaarOf(ref: string): string | undefined {
  return typed.get(ref.toLowerCase());
}
