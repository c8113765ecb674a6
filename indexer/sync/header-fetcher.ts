import type { Logger } from "../../shared/logger.ts";
import { RpcUnavailableError } from "../errors.ts";
import type { RpcClient } from "../rpc/client.ts";
import { type RetryPolicy, withRetry } from "../rpc/retry.ts";
import { type BlockRef, type RpcBlockHeader, toBlockRef } from "../rpc/types.ts";

export interface HeaderFetcher {
  latest(signal?: AbortSignal): Promise<BlockRef>;
  /** The canonical header at `number`, or null when the chain is shorter. */
  byNumber(number: bigint, signal?: AbortSignal): Promise<BlockRef | null>;
  /** Headers of `numbers` in their order, in JSON-RPC batches (a few at once); every one must exist. */
  many(numbers: bigint[], signal?: AbortSignal): Promise<BlockRef[]>;
}

export interface HeaderFetcherArgs {
  rpc: RpcClient;
  retry: RetryPolicy;
  logger: Logger;
  batchSize: number;
}

const hex = (n: bigint) => `0x${n.toString(16)}`;
/** Header batches requested at once by many(). */
const BATCHES_IN_FLIGHT = 4;

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
      // Batches of batchSize, up to BATCHES_IN_FLIGHT at a time: the node works on the next batch
      // while the last one's answer travels and is parsed, instead of waiting for each round trip.
      const slices: bigint[][] = [];
      for (let i = 0; i < numbers.length; i += args.batchSize)
        slices.push(numbers.slice(i, i + args.batchSize));
      const answers: BlockRef[][] = new Array(slices.length);
      // A failed batch stops the others (their retries too).
      const stop = new AbortController();
      const stopped = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
      let next = 0;
      const worker = async () => {
        while (next < slices.length && !stopped.aborted) {
          const k = next++;
          const slice = slices[k]!;
          const headers = await call(
            "eth_getBlockByNumber",
            () =>
              args.rpc.batch<RpcBlockHeader | null>(
                slice.map((n) => ({ method: "eth_getBlockByNumber", params: [hex(n), false] })),
              ),
            stopped,
          );
          answers[k] = headers.map((h, j) => {
            if (!h)
              throw new RpcUnavailableError(
                `block ${slice[j]} is not available from the node yet`,
                undefined,
              );
            return toBlockRef(h);
          });
        }
      };
      const workers = Array.from({ length: Math.min(BATCHES_IN_FLIGHT, slices.length) }, () =>
        worker().catch((error: unknown) => {
          stop.abort();
          throw error;
        }),
      );
      await Promise.all(workers);
      // Workers stop early when the caller aborts: no partial answer.
      signal?.throwIfAborted();
      return answers.flat();
    },
  };
}
