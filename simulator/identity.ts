/**
 * Synthetic Aadhaar numbers: 11 random digits (the first 2-9) and the Verhoeff check digit, drawn
 * from the seed, never repeated within a run. They pass validation but belong to nobody; only
 * their references (HMAC under the pepper) reach the chain.
 */
import { type Aadhaar, completeAadhaar } from "../shared/identity/aadhaar.ts";
import { aadhaarReference } from "../shared/identity/reference.ts";
import type { Hex } from "./model.ts";
import type { Rng } from "./prng.ts";

export interface SyntheticIdentities {
  /** A new, unused synthetic Aadhaar number and its reference. */
  next(): { aadhaar: Aadhaar; ref: Hex };
  readonly issued: number;
}

export function syntheticAadhaar(rng: Rng): Aadhaar {
  let digits = String(rng.int(2, 9));
  for (let i = 0; i < 10; i++) digits += String(rng.int(0, 9));
  return completeAadhaar(digits);
}

export function createIdentities(rng: Rng, pepper: Uint8Array): SyntheticIdentities {
  const used = new Set<string>();
  return {
    next() {
      let aadhaar = syntheticAadhaar(rng);
      while (used.has(aadhaar)) aadhaar = syntheticAadhaar(rng);
      used.add(aadhaar);
      return { aadhaar, ref: aadhaarReference(pepper, aadhaar) };
    },
    get issued() {
      return used.size;
    },
  };
}
