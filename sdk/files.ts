/**
 * Attaching a file to a treatment, all or nothing:
 *   1. check the size limit (before reading the file),
 *   2. compute the CID locally (cid.ts: `ipfs add --cid-version=1` parameters),
 *   3. simulate attachFile with that CID (a permission problem stops here, before any upload),
 *   4. upload with the same parameters, unpinned, and refuse if the node reports another CID,
 *   5. pin the locally computed CID (proves the node holds every block of it),
 *   6. only then send the transaction.
 * A failure at any step sends no transaction. Every IPFS call has a deadline.
 */
import { CID } from "multiformats/cid";
import { computeCid, KUBO_ADD_OPTIONS } from "./cid.ts";
import type { DocTelContext } from "./context.ts";
import type { FileKind } from "./encoders/labels.ts";
import type { TreatmentId } from "./encoders/treatments.ts";
import { encodeAttachFile } from "./encoders/treatments.ts";
import { CidMismatchError } from "./errors/classes.ts";
import { checkSize, readFileLimited } from "./file-source.ts";
import { type DocTelIpfs, deadline, toIpfsError } from "./ipfs.ts";
import { requireWallet, simulate, type TxResult, transact } from "./transact.ts";

export { computeCid } from "./cid.ts";

export interface UploadResult {
  cid: string;
  size: number;
}

/** Uploads bytes whose CID is already known; throws CidMismatchError if the node disagrees. */
export async function uploadVerified(
  ipfs: DocTelIpfs,
  bytes: Uint8Array,
  expectedCid: string,
  options: { signal?: AbortSignal } = {},
): Promise<UploadResult> {
  let reported: string;
  const client = await ipfs.client();
  const addSignal = deadline(ipfs, options.signal);
  try {
    const added = await client.add(bytes, { ...KUBO_ADD_OPTIONS, pin: false, signal: addSignal });
    reported = added.cid.toString();
  } catch (error) {
    throw toIpfsError(error, ipfs, "upload", addSignal);
  }
  if (reported !== expectedCid) {
    throw new CidMismatchError(`CID computed locally ${expectedCid} but the node reported ${reported}`, {
      details: { expected: expectedCid, reported },
    });
  }
  const pinSignal = deadline(ipfs, options.signal);
  try {
    await client.pin.add(CID.parse(expectedCid), { signal: pinSignal });
  } catch (error) {
    throw toIpfsError(error, ipfs, "pin", pinSignal);
  }
  return { cid: expectedCid, size: bytes.length };
}

/** Size-checks, hashes and uploads bytes; returns the verified, pinned CID. */
export async function uploadFile(
  ipfs: DocTelIpfs,
  bytes: Uint8Array,
  options: { maxFileBytes: number; signal?: AbortSignal },
): Promise<UploadResult> {
  checkSize(bytes, options.maxFileBytes);
  return uploadVerified(ipfs, bytes, await computeCid(bytes), options);
}

export interface AttachFileInput {
  treatmentId: TreatmentId;
  kind: FileKind | Lowercase<FileKind> | number | string;
  /** A path to read, or the bytes themselves. */
  file: string | Uint8Array;
}

export interface AttachFileResult extends TxResult {
  cid: string;
  size: number;
}

export async function attachFile(
  ctx: DocTelContext,
  ipfs: DocTelIpfs,
  input: AttachFileInput,
  options: { maxFileBytes: number; signal?: AbortSignal },
): Promise<AttachFileResult> {
  requireWallet(ctx, "attachFile");
  // Validate the ids before touching the file (the CID is a placeholder of the right shape).
  encodeAttachFile({ treatmentId: input.treatmentId, kind: input.kind as FileKind, cid: PLACEHOLDER_CID });
  const bytes =
    typeof input.file === "string"
      ? await readFileLimited(input.file, options.maxFileBytes)
      : checkSize(input.file, options.maxFileBytes);
  const cid = await computeCid(bytes);
  const data = encodeAttachFile({ treatmentId: input.treatmentId, kind: input.kind as FileKind, cid });
  await simulate(ctx, data, "attachFile");
  const uploaded = await uploadVerified(ipfs, bytes, cid, options);
  ctx.logger.info({ cid, bytes: uploaded.size }, "file uploaded and pinned");
  const result = await transact(ctx, data, "attachFile");
  return { ...result, cid, size: uploaded.size };
}

/** The CID of the empty file: only used to validate the other fields early. */
const PLACEHOLDER_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
