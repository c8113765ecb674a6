/**
 * The indexer: checks it talks to the right chain and contract, then follows it from the
 * database checkpoint, applying each ChainEvent in its own transaction. Retryable failures
 * restart the loop from the checkpoint after a backoff; anything else stops the process.
 */
import type { Pool } from "pg";
import { describeError, isRetryable } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import { redactUrl } from "../shared/redact.ts";
import { ChainMismatchError } from "./errors.ts";
import type { IndexerMetrics } from "./ops/metrics.ts";
import { createProgressReporter } from "./ops/progress.ts";
import { createRpcClient, type RpcClient } from "./rpc/client.ts";
import { backoffDelay, type RetryPolicy, sleep, withRetry } from "./rpc/retry.ts";
import { createCommitSlot } from "./store/commit-slot.ts";
import { type BlockRun, createStore } from "./store/store.ts";
import type { ChainEvent } from "./sync/chain-event.ts";
import { createChainSync } from "./sync/chain-sync.ts";
import { createHeaderFetcher } from "./sync/header-fetcher.ts";
import { createLogFetcher } from "./sync/log-fetcher.ts";
import { type NewHeads, subscribeNewHeads } from "./sync/new-heads.ts";
import { prefetch } from "./sync/prefetch.ts";
import { withReadAhead } from "./sync/read-ahead.ts";

export interface IndexerTarget {
  chainId: number;
  contractAddress: `0x${string}`;
  deployBlock: bigint;
}

export interface IndexerSettings {
  rpcUrl: string;
  rpcWsUrl?: string | undefined;
  rpcTimeoutMs: number;
  rpcMaxResponseBytes: number;
  retry: RetryPolicy;
  confirmations: number;
  finalityDepth: number;
  pollIntervalMs: number;
  getLogs: { initial: number; min: number; max: number; targetLogs: number };
  headerBatchSize: number;
  prefetchDepth: number;
  /** Current-state rows kept in memory between batches (see store/entity-cache.ts). */
  stateCacheEntries: number;
  readyLagBlocks: number;
}

export interface IndexerArgs {
  target: IndexerTarget;
  settings: IndexerSettings;
  pool: Pool;
  logger: Logger;
  metrics: IndexerMetrics;
  /** What wakes the sync between polls, instead of a newHeads subscription (tests inject a clock). */
  heads?: NewHeads;
}

export interface IndexerStatus {
  chainId: number;
  contractAddress: string;
  indexedBlock: string | null;
  headBlock: string | null;
  finalizedBlock: string | null;
  lagBlocks: number | null;
  ready: boolean;
}

export interface Indexer {
  run(signal: AbortSignal): Promise<void>;
  isReady(): boolean;
  status(): IndexerStatus;
}

/** Checks the node serves the configured chain and has code at the contract address. */
export async function checkTarget(
  rpc: RpcClient,
  target: IndexerTarget,
  retry: RetryPolicy,
  logger: Logger,
): Promise<void> {
  const chainIdHex = await withRetry("eth_chainId", retry, logger, () =>
    rpc.request<string>("eth_chainId", []),
  );
  const chainId = Number(chainIdHex);
  if (chainId !== target.chainId) {
    throw new ChainMismatchError(
      `the node at ${redactUrl(rpc.url)} serves chain ${chainId}, but DocTel is configured on chain ${target.chainId}`,
    );
  }
  const code = await withRetry("eth_getCode", retry, logger, () =>
    rpc.request<string>("eth_getCode", [target.contractAddress, "latest"]),
  );
  if (!code || code === "0x") {
    throw new ChainMismatchError(
      `no contract at ${target.contractAddress} on chain ${chainId}: check CONTRACT_ADDRESS or the deployment file`,
    );
  }
}

export function createIndexer(args: IndexerArgs): Indexer {
  const { settings, target, logger, metrics } = args;
  let indexed: bigint | null = null;
  let head: bigint | null = null;
  let finalized: bigint | null = null;
  let ready = false;

  const rpc = createRpcClient({
    url: settings.rpcUrl,
    timeoutMs: settings.rpcTimeoutMs,
    maxResponseBytes: settings.rpcMaxResponseBytes,
    onRequest(method, durationMs, error) {
      metrics.rpcDuration.observe({ method }, durationMs / 1000);
      metrics.rpcRequests.inc({ method, outcome: error ? (error as Error).constructor.name : "ok" });
    },
  });
  const store = createStore({
    pool: args.pool,
    logger,
    metrics,
    cacheEntries: settings.stateCacheEntries,
  });

  return {
    isReady: () => ready,
    status: () => ({
      chainId: target.chainId,
      contractAddress: target.contractAddress,
      indexedBlock: indexed?.toString() ?? null,
      headBlock: head?.toString() ?? null,
      finalizedBlock: finalized?.toString() ?? null,
      lagBlocks: indexed !== null && head !== null ? Number(head - indexed) : null,
      ready,
    }),

    async run(signal) {
      logger.info(
        { rpc_url: redactUrl(settings.rpcUrl), chain_id: target.chainId, contract: target.contractAddress },
        "indexer starting",
      );
      await checkTarget(rpc, target, settings.retry, logger);
      const heads: NewHeads | null =
        args.heads ?? (settings.rpcWsUrl ? subscribeNewHeads({ url: settings.rpcWsUrl, logger }) : null);
      try {
        for (let restart = 0; !signal.aborted; restart++) {
          try {
            await follow(signal, heads);
            return;
          } catch (error) {
            if (signal.aborted) return;
            if (!isRetryable(error)) throw error;
            const delay = backoffDelay(Math.min(restart, 8), settings.retry);
            logger.warn(
              { err: error, delay_ms: delay, reason: describeError(error) },
              "indexing interrupted, resuming from the checkpoint",
            );
            ready = false;
            await sleep(delay, signal);
          }
        }
      } finally {
        heads?.close();
        await store.close();
      }
    },
  };

  async function follow(signal: AbortSignal, heads: NewHeads | null): Promise<void> {
    const { checkpoint, window } = await store.open(target);
    indexed = checkpoint.indexedBlock;
    finalized = checkpoint.finalizedBlock;
    const progress = createProgressReporter({
      logger,
      startBlock: checkpoint.indexedBlock,
      intervalMs: 5000,
      minLag: 100,
    });
    const sync = createChainSync({
      headers: createHeaderFetcher({
        rpc,
        retry: settings.retry,
        logger,
        batchSize: settings.headerBatchSize,
      }),
      logs: withReadAhead(
        createLogFetcher({
          rpc,
          address: target.contractAddress,
          range: settings.getLogs,
          retry: settings.retry,
          logger,
          metrics,
        }),
      ),
      checkpoint: {
        indexedBlock: checkpoint.indexedBlock,
        finalizedBlock: checkpoint.finalizedBlock,
        window,
      },
      confirmations: settings.confirmations,
      finalityDepth: settings.finalityDepth,
      pollIntervalMs: settings.pollIntervalMs,
      ...(heads ? { waitForHead: (s: AbortSignal) => heads.wait(s) } : {}),
      // At start with nothing new to index, no batch will say so: the head alone makes us ready.
      onHead: (block) => {
        head = block.number;
        updateReady();
      },
      logger,
      metrics,
    });
    let rateEvents = 0;
    let rateStart = performance.now();
    // Ready once what is committed is within READY_LAG_BLOCKS of the head the sync last read.
    const updateReady = () => {
      if (head === null || indexed === null) return;
      const caughtUp = head - indexed <= BigInt(settings.readyLagBlocks + settings.confirmations);
      if (caughtUp && !ready)
        logger.info(
          { indexed_block: indexed.toString(), head_block: head.toString() },
          "caught up with the chain",
        );
      ready = caughtUp;
      metrics.lagBlocks.set(Number(head - indexed));
    };
    const applied = (event: BlockRun | Exclude<ChainEvent, { type: "block" }>) => {
      if (event.type === "block") {
        indexed = event.toBlock.number;
        if (event.finalizedBlock !== null) finalized = event.finalizedBlock;
        progress.update(indexed, head ?? event.headBlock, event.eventCount);
        rateEvents += event.eventCount;
        const now = performance.now();
        if (now - rateStart >= 1000) {
          metrics.eventsPerSecond.set((rateEvents * 1000) / (now - rateStart));
          rateEvents = 0;
          rateStart = now;
        }
      } else if (event.type === "reorg") {
        indexed = event.commonAncestor.number;
      } else {
        finalized = event.block;
      }
      updateReady();
    };

    // One batch commits while the next is prepared; everything else waits for that commit.
    const slot = createCommitSlot();
    try {
      for await (const event of prefetch(sync.events(signal), settings.prefetchDepth)) {
        if (event.type === "block") {
          const batch = await store.prepare(event);
          await slot.settle();
          slot.hold(store.commit(batch).then(() => applied(batch.run)));
        } else {
          await slot.settle();
          await store.apply(event);
          applied(event);
        }
      }
      await slot.settle();
    } catch (error) {
      await slot.fail(error);
    }
  }
}
