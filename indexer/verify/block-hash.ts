import { createHash } from "node:crypto";
import { equals } from "multiformats/bytes";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { identity } from "multiformats/hashes/identity";
import { sha256 } from "multiformats/hashes/sha2";
import { ContentInvalidError } from "./errors.ts";

interface Hasher {
  name: string;
  /** Digest length in bytes; undefined for identity, whose "digest" is the block itself. */
  size: number | undefined;
  digest(bytes: Uint8Array): Uint8Array;
}

/** Hash functions the verifier recomputes. */
const HASHERS = new Map<number, Hasher>([
  [
    sha256.code,
    { name: sha256.name, size: 32, digest: (bytes) => createHash("sha256").update(bytes).digest() },
  ],
  [identity.code, { name: identity.name, size: undefined, digest: (bytes) => bytes }],
]);

/** Throws ContentInvalidError unless the CID's hash function is one the verifier recomputes. */
export function assertSupportedHash(cid: CID): void {
  const hasher = HASHERS.get(cid.multihash.code);
  if (hasher === undefined) {
    throw new ContentInvalidError(
      `CID ${cid} uses hash function 0x${cid.multihash.code.toString(16)}: unsupported hash (supported: sha2-256, identity)`,
    );
  }
  if (hasher.size !== undefined && cid.multihash.size !== hasher.size) {
    throw new ContentInvalidError(
      `CID ${cid} carries a ${cid.multihash.size}-byte ${hasher.name} digest, expected ${hasher.size} bytes: unsupported hash`,
    );
  }
}

/** Recomputes the block's multihash with the CID's hash function; throws ContentInvalidError if it differs. */
export function assertBlockMatches(cid: CID, bytes: Uint8Array): void {
  assertSupportedHash(cid);
  const hasher = HASHERS.get(cid.multihash.code)!;
  const actual = Digest.create(cid.multihash.code, hasher.digest(bytes));
  if (!equals(actual.bytes, cid.multihash.bytes)) {
    const got =
      cid.version === 0
        ? CID.createV0(actual as Digest.Digest<0x12, number>)
        : CID.createV1(cid.code, actual);
    throw new ContentInvalidError(`block ${cid} hashes to ${got} (${bytes.length} bytes received)`, {
      details: { expected: cid.toString(), actual: got.toString(), bytes: bytes.length },
    });
  }
}
