import { createHmac } from "node:crypto";
import type { Aadhaar } from "./aadhaar.ts";

export type Hex32 = `0x${string}`;

/** Domain separation: a reference for one purpose can never collide with another. */
const AADHAAR_DOMAIN = "doctel/aadhaar/v1:";
const KEY_ID_MESSAGE = "doctel/reference-key-id/v1";

/** The smallest pepper accepted: 32 bytes, the HMAC-SHA256 block-size guidance. */
export const MIN_PEPPER_BYTES = 32;

function hmacHex(pepper: Uint8Array, message: string): Hex32 {
  if (pepper.length < MIN_PEPPER_BYTES) {
    throw new RangeError(`the reference pepper must be at least ${MIN_PEPPER_BYTES} bytes`);
  }
  return `0x${createHmac("sha256", pepper).update(message, "utf8").digest("hex")}`;
}

/**
 * The on-chain reference of a person: HMAC-SHA256(pepper, "doctel/aadhaar/v1:" + Aadhaar).
 * Without the pepper, the 10^11 possible Aadhaar numbers cannot be enumerated against it.
 */
export function aadhaarReference(pepper: Uint8Array, aadhaar: Aadhaar): Hex32 {
  return hmacHex(pepper, `${AADHAAR_DOMAIN}${aadhaar}`);
}

/**
 * The public fingerprint of a pepper, stored in the contract at deployment. Writers and the API
 * compare it with their own before computing references, so a wrong pepper fails at start
 * instead of silently writing references nobody can look up.
 */
export function referenceKeyId(pepper: Uint8Array): Hex32 {
  return hmacHex(pepper, KEY_ID_MESSAGE);
}
