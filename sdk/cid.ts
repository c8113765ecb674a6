/**
 * The CID of a file, computed locally with exactly the parameters the upload uses — those of
 * `ipfs add --cid-version=1` on Kubo, so a real Kubo node (or js-ipfs) reports the same CID:
 *
 * - CIDv1, base32 ("bafy…" for a DAG, "bafk…" for a single raw block)
 * - raw leaves (file bytes are not wrapped in UnixFS protobufs)
 * - sha2-256 multihash
 * - fixed-size chunks of 256 KiB (Kubo `--chunker=size-262144`)
 * - balanced DAG, at most 174 links per node (Kubo's default layout; not trickle)
 * - a file that fits in one chunk is that chunk itself (a raw block)
 */

export const CID_PARAMETERS = {
  cidVersion: 1,
  rawLeaves: true,
  hashAlg: "sha2-256",
  chunkSize: 262_144,
  maxChildrenPerNode: 174,
  layout: "balanced",
} as const;

/** The options for kubo-rpc-client `add` that match CID_PARAMETERS. */
export const KUBO_ADD_OPTIONS = {
  cidVersion: CID_PARAMETERS.cidVersion,
  rawLeaves: CID_PARAMETERS.rawLeaves,
  hashAlg: CID_PARAMETERS.hashAlg,
  chunker: `size-${CID_PARAMETERS.chunkSize}`,
  trickle: false,
  wrapWithDirectory: false,
} as const;

/** Blocks are only hashed here, never stored. */
const discard = { put: async <T>(cid: T): Promise<T> => cid };

/** The CID (string, base32) that `ipfs add --cid-version=1` gives these bytes. */
export async function computeCid(bytes: Uint8Array): Promise<string> {
  const [{ importer }, { fixedSize }, { balanced }] = await Promise.all([
    import("ipfs-unixfs-importer"),
    import("ipfs-unixfs-importer/chunker"),
    import("ipfs-unixfs-importer/layout"),
  ]);
  const entries = importer([{ content: bytes }], discard, {
    cidVersion: CID_PARAMETERS.cidVersion,
    rawLeaves: CID_PARAMETERS.rawLeaves,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: CID_PARAMETERS.chunkSize }),
    layout: balanced({ maxChildrenPerNode: CID_PARAMETERS.maxChildrenPerNode }),
    wrapWithDirectory: false,
  });
  let root: string | undefined;
  for await (const entry of entries) root = entry.cid.toString();
  if (root === undefined) throw new Error("the UnixFS importer produced no CID");
  return root;
}
