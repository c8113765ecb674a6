/**
 * Trustless verification of one CID: fetch its blocks, recompute every block's hash, decode the
 * DAG (a raw block, or dag-pb + UnixFS file nodes) and walk it in order, checking every size the
 * DAG declares against what arrived. Nothing the IPFS node says is believed.
 *
 * Outcomes:
 * - VERIFIED: the whole file arrived and matched; its size, detected content type, block count.
 * - INVALID: permanent for this CID (content addressing): malformed or unsupported CID, a block
 *   that hashes to another CID, a malformed DAG, not a file (directory, symlink), sizes that do
 *   not add up, or a file over `maxBytes` ("file exceeds N bytes"). The schema has no separate
 *   status for "too large"; an operator who raises the limit requeues the INVALID rows.
 * - UNAVAILABLE: a block did not arrive within `timeoutMs`, the node failed, the whole file took
 *   longer than `deadlineMs`, or the caller aborted: worth retrying later.
 *
 * Memory stays bounded: blocks are fetched ahead (`parallelBlocks` at a time) but consumed in
 * file order and dropped once hashed; only the first bytes are kept, for content sniffing.
 */
import * as dagPb from "@ipld/dag-pb";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { identity } from "multiformats/hashes/identity";
import { describeError, RetryableError } from "../../shared/errors.ts";
import { assertBlockMatches, assertSupportedHash } from "./block-hash.ts";
import { detectContentType, SNIFF_BYTES } from "./content-type.ts";
import { ContentInvalidError, ContentTooLargeError, IpfsUnavailableError } from "./errors.ts";
import { decodeUnixfsData } from "./unixfs-data.ts";

/** Fetches one block's bytes. Must stop when `signal` aborts; its bytes are checked by the caller. */
export type FetchBlock = (cid: CID, signal: AbortSignal) => Promise<Uint8Array>;

export interface VerifyLimits {
  /** Largest accepted file, in bytes (declared or actual). */
  maxBytes: number;
  /** Longest wait for any one block. */
  timeoutMs: number;
  /** Longest time for the whole file (default: no limit beyond the per-block timeout). */
  deadlineMs?: number;
  /** Blocks requested ahead of the one being checked (default 8). */
  parallelBlocks?: number;
  /** Most blocks a file may have (default 100,000): bounds work on pathological DAGs. */
  maxBlocks?: number;
}

export type VerifyResult =
  | { status: "VERIFIED"; sizeBytes: number; contentType: string; blocks: number }
  | { status: "INVALID"; reason: string }
  | { status: "UNAVAILABLE"; reason: string };

export interface VerifyCidArgs {
  cid: string;
  fetchBlock: FetchBlock;
  limits: VerifyLimits;
  signal?: AbortSignal;
}

const DEFAULT_PARALLEL_BLOCKS = 8;
const DEFAULT_MAX_BLOCKS = 100_000;
/** Kubo's balanced layout reaches depth 4 at ~250 GB; anything much deeper is not a real file. */
const MAX_DEPTH = 32;

export async function verifyCid(args: VerifyCidArgs): Promise<VerifyResult> {
  let root: CID;
  try {
    root = CID.parse(args.cid);
  } catch (err) {
    // The string itself is not repeated: it is already the row's key, and it is free text from
    // the chain (anything could be in it, even personal data typed by mistake).
    return {
      status: "INVALID",
      reason: `malformed CID (${args.cid.length} characters): ${describeError(err)}`,
    };
  }
  const internal = new AbortController();
  const deadline =
    args.limits.deadlineMs === undefined ? undefined : AbortSignal.timeout(args.limits.deadlineMs);
  const signals = [internal.signal];
  if (args.signal) signals.push(args.signal);
  if (deadline) signals.push(deadline);
  const context: WalkContext = {
    fetchBlock: args.fetchBlock,
    limits: args.limits,
    signal: AbortSignal.any(signals),
    outer: args.signal,
    deadline,
  };
  try {
    return await walk(root, context);
  } catch (err) {
    if (err instanceof ContentInvalidError) return { status: "INVALID", reason: err.message };
    if (err instanceof RetryableError) return { status: "UNAVAILABLE", reason: err.message };
    throw err;
  } finally {
    // Cancels the blocks still being fetched ahead when the walk stopped early.
    internal.abort();
  }
}

interface WalkContext {
  fetchBlock: FetchBlock;
  limits: VerifyLimits;
  /** Aborts on the caller's signal, the deadline, or the end of the walk. */
  signal: AbortSignal;
  outer: AbortSignal | undefined;
  deadline: AbortSignal | undefined;
}

type Fetched =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; error: IpfsUnavailableError | ContentInvalidError };

interface Pending {
  cid: CID;
  /** The child's file size declared by its parent; undefined for the root. */
  expectedSize: bigint | undefined;
  depth: number;
  fetched?: Promise<Fetched>;
}

async function walk(root: CID, context: WalkContext): Promise<VerifyResult> {
  const { maxBytes } = context.limits;
  const parallel = Math.max(1, context.limits.parallelBlocks ?? DEFAULT_PARALLEL_BLOCKS);
  const maxBlocks = context.limits.maxBlocks ?? DEFAULT_MAX_BLOCKS;
  assertFileCodec(root, true);
  assertSupportedHash(root);

  // Blocks still to check, in file order (depth first, children in link order).
  const queue: Pending[] = [{ cid: root, expectedSize: undefined, depth: 0 }];
  const head = new Uint8Array(SNIFF_BYTES);
  let headLength = 0;
  let total = 0;
  let blocks = 0;
  let declaredTotal: bigint | undefined;

  const emit = (bytes: Uint8Array): void => {
    total += bytes.length;
    if (total > maxBytes) throw tooLarge(maxBytes, `at least ${total} bytes arrived`);
    if (headLength < SNIFF_BYTES && bytes.length > 0) {
      const take = bytes.subarray(0, SNIFF_BYTES - headLength);
      head.set(take, headLength);
      headLength += take.length;
    }
  };

  while (queue.length > 0) {
    for (let i = 0; i < Math.min(parallel, queue.length); i++) {
      const pending = queue[i]!;
      pending.fetched ??= fetchOne(pending.cid, context);
    }
    const item = queue.shift()!;
    const fetched = await item.fetched!;
    if (!fetched.ok) throw fetched.error;
    const bytes = fetched.bytes;
    assertBlockMatches(item.cid, bytes);
    blocks += 1;
    if (blocks > maxBlocks) throw new ContentInvalidError(`file has more than ${maxBlocks} blocks`);

    if (item.cid.code === raw.code) {
      if (item.expectedSize !== undefined && BigInt(bytes.length) !== item.expectedSize) {
        throw new ContentInvalidError(
          `block ${item.cid} holds ${bytes.length} bytes, its parent declared ${item.expectedSize}`,
        );
      }
      if (item.depth === 0 && bytes.length > maxBytes)
        throw tooLarge(maxBytes, `it is ${bytes.length} bytes`);
      emit(bytes);
      continue;
    }

    const node = decodeDagPb(item.cid, bytes);
    if (node.Data === undefined) {
      throw new ContentInvalidError(
        `block ${item.cid} is a dag-pb node without UnixFS data: not a UnixFS file`,
      );
    }
    let unixfs: ReturnType<typeof decodeUnixfsData>;
    try {
      unixfs = decodeUnixfsData(node.Data);
    } catch (err) {
      throw new ContentInvalidError(`block ${item.cid} holds malformed UnixFS data: ${describeError(err)}`);
    }
    if (unixfs.type !== "file" && unixfs.type !== "raw") {
      throw new ContentInvalidError(
        item.depth === 0
          ? `CID ${item.cid} is a UnixFS ${unixfs.type}: not a UnixFS file`
          : `block ${item.cid} inside the file is a UnixFS ${unixfs.type}: not a UnixFS file`,
      );
    }
    if (node.Links.length !== unixfs.blocksizes.length) {
      throw new ContentInvalidError(
        `block ${item.cid} has ${node.Links.length} links but declares ${unixfs.blocksizes.length} blocksizes`,
      );
    }
    const size = unixfs.blocksizes.reduce((sum, s) => sum + s, BigInt(unixfs.data.length));
    if (unixfs.filesize !== undefined && unixfs.filesize !== size) {
      throw new ContentInvalidError(
        `block ${item.cid} declares filesize ${unixfs.filesize}, its data and blocksizes add up to ${size}`,
      );
    }
    if (item.expectedSize !== undefined && size !== item.expectedSize) {
      throw new ContentInvalidError(
        `block ${item.cid} holds ${size} bytes of the file, its parent declared ${item.expectedSize}`,
      );
    }
    if (item.depth === 0) {
      declaredTotal = size;
      if (size > BigInt(maxBytes)) throw tooLarge(maxBytes, `it declares ${size} bytes`);
    }
    if (node.Links.length > 0 && item.depth + 1 > MAX_DEPTH) {
      throw new ContentInvalidError(`file DAG is deeper than ${MAX_DEPTH} levels at block ${item.cid}`);
    }
    emit(unixfs.data);
    const children = node.Links.map((link, i): Pending => {
      assertFileCodec(link.Hash, false);
      assertSupportedHash(link.Hash);
      return { cid: link.Hash, expectedSize: unixfs.blocksizes[i]!, depth: item.depth + 1 };
    });
    queue.unshift(...children);
  }

  if (declaredTotal !== undefined && BigInt(total) !== declaredTotal) {
    throw new ContentInvalidError(`CID ${root} declares ${declaredTotal} bytes but ${total} arrived`);
  }
  return {
    status: "VERIFIED",
    sizeBytes: total,
    contentType: detectContentType(head.subarray(0, headLength), total),
    blocks,
  };
}

/** Starts fetching one block; never rejects (the failure is returned, to be thrown in order). */
function fetchOne(cid: CID, context: WalkContext): Promise<Fetched> {
  if (cid.multihash.code === identity.code) {
    return Promise.resolve({ ok: true, bytes: cid.multihash.digest });
  }
  const { timeoutMs } = context.limits;
  const blockTimeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([context.signal, blockTimeout]);
  return new Promise<Uint8Array>((resolve, reject) => {
    // Race the fetch against the signal: a source that ignores its signal cannot hang the walk.
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    context
      .fetchBlock(cid, signal)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener("abort", onAbort));
  }).then(
    (bytes): Fetched => ({ ok: true, bytes }),
    (err: unknown): Fetched => ({
      ok: false,
      // A source may refuse content itself (a "block" over its size limit); anything else is the node failing.
      error: err instanceof ContentInvalidError ? err : unavailable(cid, err, context, blockTimeout),
    }),
  );
}

function unavailable(
  cid: CID,
  err: unknown,
  context: WalkContext,
  blockTimeout: AbortSignal,
): IpfsUnavailableError {
  const details = { cid: cid.toString() };
  if (context.outer?.aborted) {
    return new IpfsUnavailableError(`verification aborted while fetching block ${cid}`, undefined, {
      cause: err,
      details,
    });
  }
  if (context.deadline?.aborted) {
    return new IpfsUnavailableError(
      `file not verified within ${context.limits.deadlineMs} ms (waiting for block ${cid})`,
      undefined,
      { cause: err, details },
    );
  }
  if (blockTimeout.aborted) {
    return new IpfsUnavailableError(
      `block ${cid} not received within ${context.limits.timeoutMs} ms`,
      undefined,
      {
        cause: err,
        details,
      },
    );
  }
  return new IpfsUnavailableError(`block ${cid} not received: ${describeError(err)}`, undefined, {
    cause: err,
    details,
  });
}

function assertFileCodec(cid: CID, isRoot: boolean): void {
  if (cid.code === raw.code || cid.code === dagPb.code) return;
  const where = isRoot ? `CID ${cid}` : `block ${cid} inside the file`;
  throw new ContentInvalidError(
    `${where} has codec 0x${cid.code.toString(16)}: not a UnixFS file (expected raw or dag-pb)`,
  );
}

function decodeDagPb(cid: CID, bytes: Uint8Array): dagPb.PBNode {
  try {
    return dagPb.decode(bytes);
  } catch (err) {
    throw new ContentInvalidError(`block ${cid} is not valid dag-pb: ${describeError(err)}`);
  }
}

function tooLarge(maxBytes: number, what: string): ContentTooLargeError {
  return new ContentTooLargeError(`file exceeds ${maxBytes} bytes (${what})`);
}
