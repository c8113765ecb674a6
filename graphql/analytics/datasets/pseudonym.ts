/**
 * Per-release pseudonyms: HMAC-SHA256(releaseKey, "patient:" + patient reference), where
 * releaseKey = HKDF-SHA256(server secret, salt "doctel/release-pseudonym/v1", info release id).
 * Within a release a patient's rows share one pseudonym (every dataset of the release shows the
 * same); across releases the keys differ, so the pseudonyms cannot be linked without the server
 * secret. A row that must not be linked (linkage.ts) gets HMAC(releaseKey, "treatment:" + id)
 * instead. Released as the first 128 bits in hex.
 *
 * The builder computes them inside PostgreSQL, which has sha256() but no HMAC: with the key's
 * inner and outer pads (RFC 2104), HMAC(K, m) = sha256(opad || sha256(ipad || m)); sqlHmacPads
 * hands the pads over as bytea parameters. test/graphql/analytics-datasets.test.ts checks both
 * ways agree.
 */
import { createHmac, hkdfSync } from "node:crypto";

const SALT = "doctel/release-pseudonym/v1";
export const PSEUDONYM_HEX_CHARS = 32;
/** The smallest server secret accepted, as for the reference pepper. */
export const MIN_SECRET_BYTES = 32;

export function deriveReleaseKey(secret: Uint8Array, releaseId: string): Buffer {
  if (secret.length < MIN_SECRET_BYTES) {
    throw new RangeError(`the dataset secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  return Buffer.from(hkdfSync("sha256", secret, SALT, releaseId, 32));
}

/** A linked patient's pseudonym in a release. */
export function pseudonymOf(releaseKey: Uint8Array, patientRef: string): string {
  return createHmac("sha256", releaseKey)
    .update(`patient:${patientRef}`, "utf8")
    .digest("hex")
    .slice(0, PSEUDONYM_HEX_CHARS);
}

/** The pseudonym of one row of a patient whose rows are not linked (linkage.ts). */
export function rowPseudonymOf(releaseKey: Uint8Array, treatmentId: bigint | string): string {
  return createHmac("sha256", releaseKey)
    .update(`treatment:${treatmentId}`, "utf8")
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
