import type { Logger } from "../../shared/logger.ts";
import { LogRangeTooLargeError, RpcRequestError } from "../errors.ts";
import type { IndexerMetrics } from "../ops/metrics.ts";
import type { RpcClient } from "../rpc/client.ts";
import { type RetryPolicy, withRetry } from "../rpc/retry.ts";
import type { RpcLog } from "../rpc/types.ts";
import { type AdaptiveRangeOptions, createAdaptiveRange } from "./adaptive-range.ts";

export interface LogChunk {
  fromBlock: bigint;
  toBlock: bigint;
  logs: RpcLog[];
}

export interface LogFetcher {
  /** Fetches the logs of [fromBlock, ≤ limit]; the range's end adapts to what the node accepts. */
  next(fromBlock: bigint, limit: bigint, signal?: AbortSignal): Promise<LogChunk>;
}

export interface LogFetcherArgs {
  rpc: RpcClient;
  address: `0x${string}`;
  range: AdaptiveRangeOptions;
  retry: RetryPolicy;
  logger: Logger;
  metrics: IndexerMetrics;
}

const hex = (n: bigint) => `0x${n.toString(16)}`;

export function createLogFetcher(args: LogFetcherArgs): LogFetcher {
  const range = createAdaptiveRange(args.range);
  const address = args.address.toLowerCase();

  return {
    async next(fromBlock, limit, signal) {
      for (;;) {
        const span = BigInt(range.size);
        const toBlock = fromBlock + span - 1n < limit ? fromBlock + span - 1n : limit;
        try {
          const logs = await withRetry(
            "eth_getLogs",
            args.retry,
            args.logger,
            () =>
              args.rpc.request<RpcLog[]>("eth_getLogs", [
                { address, fromBlock: hex(fromBlock), toBlock: hex(toBlock) },
              ]),
            signal,
          );
          checkLogs(logs, fromBlock, toBlock, address);
          range.succeeded(Number(toBlock - fromBlock + 1n), logs.length);
          args.metrics.getLogsRange.set(range.size);
          return { fromBlock, toBlock, logs };
        } catch (error) {
          if (!(error instanceof LogRangeTooLargeError)) throw error;
          const before = range.size;
          if (!range.shrink(Number(toBlock - fromBlock + 1n), suggestedRange(error.message))) {
            throw new RpcRequestError(
              `eth_getLogs of the single block ${fromBlock} is still too large for the node (${error.message}); raise RPC_MAX_RESPONSE_BYTES or use a node without a result cap`,
              { cause: error },
            );
          }
          args.logger.info(
            { from_block: fromBlock.toString(), range_before: before, range_after: range.size },
            "eth_getLogs range too large, shrinking",
          );
        }
      }
    },
  };
}

/** Some providers suggest a range ("... try with this block range [0x1, 0x5]"). */
function suggestedRange(message: string): number | undefined {
  const m = /\[(0x[0-9a-f]+),\s*(0x[0-9a-f]+)\]/i.exec(message);
  if (!m) return undefined;
  const span = Number(BigInt(m[2]!) - BigInt(m[1]!)) + 1;
  return span > 0 ? span : undefined;
}

/** The node's answer must be what was asked: our contract, inside the range, in order. */
function checkLogs(logs: RpcLog[], from: bigint, to: bigint, address: string): void {
  let previous = -1n;
  let previousIndex = -1;
  for (const log of logs) {
    const block = BigInt(log.blockNumber);
    if (block < from || block > to) {
      throw new RpcRequestError(`eth_getLogs [${from}, ${to}] returned a log of block ${block}`);
    }
    if (log.address.toLowerCase() !== address) {
      throw new RpcRequestError(`eth_getLogs for ${address} returned a log of ${log.address}`);
    }
    const index = Number.parseInt(log.logIndex, 16);
    if (block < previous || (block === previous && index <= previousIndex)) {
      throw new RpcRequestError(`eth_getLogs returned logs out of order at block ${block} log ${index}`);
    }
    if (log.removed === true) {
      throw new RpcRequestError(`eth_getLogs returned a removed log at block ${block} log ${index}`);
    }
    previous = block;
    previousIndex = index;
  }
}
