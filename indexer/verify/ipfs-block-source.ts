/**
 * Blocks from an IPFS node's HTTP RPC API (`block/get`). The bytes are not trusted here: the
 * verifier hashes them. Every request is bounded by a timeout (a missing block otherwise makes
 * the node wait forever) and by the caller's signal; every failure is an IpfsUnavailableError.
 */
import type { KuboRPCClient } from "kubo-rpc-client";
import type { CID } from "multiformats/cid";
import { describeError } from "../../shared/errors.ts";
import { IpfsUnavailableError } from "./errors.ts";
import type { FetchBlock } from "./verify-cid.ts";

export interface IpfsBlockSourceOptions {
  ipfs: Pick<KuboRPCClient, "block">;
  /** Longest wait for one block; also sent to the node, which then gives up too. */
  timeoutMs: number;
}

export function createIpfsBlockSource(options: IpfsBlockSourceOptions): FetchBlock {
  const { ipfs, timeoutMs } = options;
  return async (cid: CID, signal: AbortSignal): Promise<Uint8Array> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      // kubo-rpc-client only forwards `timeout` to the server; the signal bounds the request
      // and the body on this side.
      return await ipfs.block.get(cid, { signal: AbortSignal.any([signal, timeout]), timeout: timeoutMs });
    } catch (err) {
      const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : describeError(err);
      throw new IpfsUnavailableError(`IPFS block/get ${cid} failed: ${reason}`, {
        cause: err,
        details: { cid: cid.toString() },
      });
    }
  };
}
