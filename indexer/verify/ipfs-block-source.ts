/**
 * Blocks from an IPFS node's RPC API (`block/get`). The bytes are not trusted here: the
 * verifier hashes them. Every request is bounded by a timeout (a missing block otherwise makes
 * the node wait forever), by the caller's signal, and by a size limit.
 * - an answer over `maxBlockBytes` is refused as content (ContentInvalidError): no honest node
 *   sends that much for a block this verifier accepts;
 * - every other failure (timeout, refused connection, error answer) is an IpfsUnavailableError.
 */
import type { CID } from "multiformats/cid";
import { describeError } from "../../shared/errors.ts";
import { ContentInvalidError, ContentTooLargeError, IpfsUnavailableError } from "./errors.ts";
import type { IpfsRpc } from "./ipfs-rpc.ts";
import type { FetchBlock } from "./verify-cid.ts";

export interface IpfsBlockSourceOptions {
  rpc: IpfsRpc;
  /** Longest wait for one block; also sent to the node, which then gives up too. */
  timeoutMs: number;
  /** Largest block accepted (default 4 MiB; Kubo's own limit is 2 MiB). */
  maxBlockBytes?: number;
}

export const DEFAULT_MAX_BLOCK_BYTES = 4 * 1024 * 1024;

export function createIpfsBlockSource(options: IpfsBlockSourceOptions): FetchBlock {
  const { rpc, timeoutMs } = options;
  const maxBlockBytes = options.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES;
  return async (cid: CID, signal: AbortSignal): Promise<Uint8Array> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    try {
      const res = await rpc.post("block/get", { arg: cid.toString(), timeout: `${timeoutMs}ms` }, combined);
      const chunks: Buffer[] = [];
      let length = 0;
      for await (const chunk of res as AsyncIterable<Buffer>) {
        length += chunk.length;
        if (length > maxBlockBytes) {
          res.destroy();
          throw new ContentTooLargeError(`block ${cid} is larger than ${maxBlockBytes} bytes`, {
            details: { cid: cid.toString() },
          });
        }
        chunks.push(chunk);
      }
      if (combined.aborted) throw combined.reason;
      return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
    } catch (err) {
      if (err instanceof ContentInvalidError) throw err;
      const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : describeError(err);
      throw new IpfsUnavailableError(`IPFS block/get ${cid} from ${rpc.url} failed: ${reason}`, rpc.url, {
        cause: err,
        details: { cid: cid.toString() },
      });
    }
  };
}
