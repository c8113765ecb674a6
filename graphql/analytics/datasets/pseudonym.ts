/**
 * Per-dataset pseudonyms: HMAC-SHA256(datasetKey, patient reference), where
 * datasetKey = HKDF-SHA256(server secret, salt "doctel/dataset-pseudonym/v1", info dataset id).
 * Within a dataset a patient's rows share one pseudonym; across datasets the keys differ, so the
 * pseudonyms cannot be linked without the server secret. Released as the first 128 bits in hex.
 *
 * The builder computes them inside PostgreSQL, which has sha256() but no HMAC: with the key's
 * inner and outer pads (RFC 2104), HMAC(K, m) = sha256(opad || sha256(ipad || m)); sqlHmacPads
 * hands the pads over as bytea parameters. test/graphql/analytics-pseudonym.test.ts checks both
 * ways agree.
 */
import { createHmac, hkdfSync } from "node:crypto";

const SALT = "doctel/dataset-pseudonym/v1";
export const PSEUDONYM_HEX_CHARS = 32;
/** The smallest server secret accepted, as for the reference pepper. */
export const MIN_SECRET_BYTES = 32;

export function deriveDatasetKey(secret: Uint8Array, datasetId: string): Buffer {
  if (secret.length < MIN_SECRET_BYTES) {
    throw new RangeError(`the dataset secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  return Buffer.from(hkdfSync("sha256", secret, SALT, datasetId, 32));
}

export function pseudonymOf(datasetKey: Uint8Array, patientRef: string): string {
  return createHmac("sha256", datasetKey)
    .update(patientRef, "utf8")
    .digest("hex")
    .slice(0, PSEUDONYM_HEX_CHARS);
}

/** The HMAC-SHA256 inner and outer pads of a key of at most 64 bytes. */
export function sqlHmacPads(key: Uint8Array): { ipad: Buffer; opad: Buffer } {
  if (key.length > 64) throw new RangeError("HMAC keys above the 64-byte block size must be hashed first");
  const ipad = Buffer.alloc(64, 0x36);
  const opad = Buffer.alloc(64, 0x5c);
  for (let i = 0; i < key.length; i++) {
    ipad[i]! ^= key[i]!;
    opad[i]! ^= key[i]!;
  }
  return { ipad, opad };
}

/** SQL for HMAC-SHA256 of a text expression, as hex, given the pads as parameters $ipad / $opad. */
export function sqlHmacHex(message: string, ipadParam: string, opadParam: string): string {
  return `encode(sha256(${opadParam}::bytea || sha256(${ipadParam}::bytea || convert_to(${message}, 'UTF8'))), 'hex')`;
}
