import type { Logger } from "../../shared/logger.ts";
import { RpcUnavailableError } from "../errors.ts";
import type { RpcClient } from "../rpc/client.ts";
import { type RetryPolicy, withRetry } from "../rpc/retry.ts";
import { type BlockRef, type RpcBlockHeader, toBlockRef } from "../rpc/types.ts";

export interface HeaderFetcher {
  latest(signal?: AbortSignal): Promise<BlockRef>;
  /** The canonical header at `number`, or null when the chain is shorter. */
  byNumber(number: bigint, signal?: AbortSignal): Promise<BlockRef | null>;
  /** Headers of `numbers`, batched; every one must exist. */
  many(numbers: bigint[], signal?: AbortSignal): Promise<BlockRef[]>;
}

export interface HeaderFetcherArgs {
  rpc: RpcClient;
  retry: RetryPolicy;
  logger: Logger;
  batchSize: number;
}

const hex = (n: bigint) => `0x${n.toString(16)}`;

export function createHeaderFetcher(args: HeaderFetcherArgs): HeaderFetcher {
  const call = <T>(label: string, fn: () => Promise<T>, signal?: AbortSignal) =>
    withRetry(label, args.retry, args.logger, fn, signal);

  return {
    async latest(signal) {
      const header = await call(
        "eth_getBlockByNumber",
        () => args.rpc.request<RpcBlockHeader | null>("eth_getBlockByNumber", ["latest", false]),
        signal,
      );
      if (!header) throw new RpcUnavailableError("eth_getBlockByNumber(latest) returned no block", undefined);
      return toBlockRef(header);
    },
    async byNumber(number, signal) {
      const header = await call(
        "eth_getBlockByNumber",
        () => args.rpc.request<RpcBlockHeader | null>("eth_getBlockByNumber", [hex(number), false]),
        signal,
      );
      return header ? toBlockRef(header) : null;
    },
    async many(numbers, signal) {
      const out: BlockRef[] = [];
      for (let i = 0; i < numbers.length; i += args.batchSize) {
        const slice = numbers.slice(i, i + args.batchSize);
        const headers = await call(
          "eth_getBlockByNumber",
          () =>
            args.rpc.batch<RpcBlockHeader | null>(
              slice.map((n) => ({ method: "eth_getBlockByNumber", params: [hex(n), false] })),
            ),
          signal,
        );
        headers.forEach((h, j) => {
          if (!h)
            throw new RpcUnavailableError(`block ${slice[j]} is not available from the node yet`, undefined);
          out.push(toBlockRef(h));
        });
      }
      return out;
    },
  };
}
