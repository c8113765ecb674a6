import type { Logger } from "../../shared/logger.ts";
import { LogRangeTooLargeError, RpcRequestError } from "../errors.ts";
import type { IndexerMetrics } from "../ops/metrics.ts";
import type { RpcClient } from "../rpc/client.ts";
import type { LogBatch } from "../rpc/log-batch.ts";
import { type RetryPolicy, withRetry } from "../rpc/retry.ts";
import { type AdaptiveRangeOptions, createAdaptiveRange } from "./adaptive-range.ts";

export interface LogChunk {
  fromBlock: bigint;
  toBlock: bigint;
  logs: LogBatch;
}

export interface LogFetcher {
  /**
   * Fetches the logs of [fromBlock, ≤ limit]; the range's end adapts to what the node accepts.
   * `finalized`: the last final block, up to which a fetcher may read ahead (see read-ahead.ts).
   */
  next(fromBlock: bigint, limit: bigint, signal?: AbortSignal, finalized?: bigint): Promise<LogChunk>;
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
            () => args.rpc.getLogs({ address, fromBlock: hex(fromBlock), toBlock: hex(toBlock) }),
            signal,
          );
          checkLogs(logs, fromBlock, toBlock, address);
          range.succeeded(Number(toBlock - fromBlock + 1n), logs.count);
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
function checkLogs(logs: LogBatch, from: bigint, to: bigint, address: string): void {
  const first = Number(from);
  const last = Number(to);
  let previous = -1;
  let previousIndex = -1;
  let block = -1;
  for (let i = 0; i < logs.count; i++) {
    // Logs come in runs of one block: its number is read once per run.
    if (i === 0 || !logs.sameBlockNumber(i, i - 1)) {
      block = logs.blockNumber(i);
      if (!(block >= first && block <= last)) {
        throw new RpcRequestError(
          `eth_getLogs [${from}, ${to}] returned a log of block ${logs.blockNumberHex(i)}`,
        );
      }
    }
    if (!logs.addressIs(i, address)) {
      throw new RpcRequestError(`eth_getLogs for ${address} returned a log of ${logs.address(i)}`);
    }
    const index = logs.logIndex(i);
    if (!(index >= 0) || block < previous || (block === previous && index <= previousIndex)) {
      throw new RpcRequestError(`eth_getLogs returned logs out of order at block ${block} log ${index}`);
    }
    if (logs.removed(i)) {
      throw new RpcRequestError(`eth_getLogs returned a removed log at block ${block} log ${index}`);
    }
    previous = block;
    previousIndex = index;
  }
}
