import { ValidationError } from "../errors.ts";
import { verhoeffCheckDigit, verhoeffValid } from "./verhoeff.ts";

/** A normalized Aadhaar number: exactly 12 digits. Never log, store or display it whole. */
export type Aadhaar = string & { readonly __brand: "Aadhaar" };

/**
 * Validates and normalizes an Aadhaar number: spaces and hyphens are dropped ("2345 6789 0124"),
 * then it must be 12 digits, the first 2-9, the last a Verhoeff check digit.
 * The error message never repeats the number.
 */
export function parseAadhaar(input: string): Aadhaar {
  const digits = input.replace(/[\s-]/g, "");
  if (!/^\d{12}$/.test(digits)) {
    throw new ValidationError("Aadhaar number must be 12 digits", { details: { field: "aadhaar" } });
  }
  if (digits[0] === "0" || digits[0] === "1") {
    throw new ValidationError("Aadhaar number cannot start with 0 or 1", { details: { field: "aadhaar" } });
  }
  if (!verhoeffValid(digits)) {
    throw new ValidationError("Aadhaar number fails its Verhoeff checksum (mistyped digit?)", {
      details: { field: "aadhaar" },
    });
  }
  return digits as Aadhaar;
}

export function isValidAadhaar(input: string): boolean {
  try {
    parseAadhaar(input);
    return true;
  } catch {
    return false;
  }
}

/** The UIDAI display form: only the last four digits, "XXXX XXXX 1234". */
export function maskAadhaar(aadhaar: Aadhaar): string {
  return `XXXX XXXX ${aadhaar.slice(8)}`;
}

/** Completes 11 digits (first 2-9) into a valid Aadhaar number: for synthetic data and tests. */
export function completeAadhaar(first11: string): Aadhaar {
  if (!/^[2-9]\d{10}$/.test(first11)) throw new TypeError("completeAadhaar expects 11 digits, first 2-9");
  return `${first11}${verhoeffCheckDigit(first11)}` as Aadhaar;
}
