/**
 * The indexer: checks it talks to the right chain and contract, waits to lead (one indexer
 * process per database indexes, the others stand by; see ops/leader.ts), then follows the chain
 * from the database checkpoint, applying each ChainEvent in its own transaction. A failure is
 * reported at once (log line, red /ready and /health, doctel_indexer_errors_total); retryable ones
 * restart from the checkpoint after a backoff that starts over once indexing progresses again;
 * anything else stops the process.
 */
import type { Pool } from "pg";
import { ConfigError, DocTelError, describeError, isRetryable } from "../shared/errors.ts";
import { keccak256Text } from "../shared/keccak.ts";
import type { Logger } from "../shared/logger.ts";
import { redactUrl } from "../shared/redact.ts";
import { ChainMismatchError, LeadershipLostError, RpcRequestError } from "./errors.ts";
import { createHealth, type Health, type HealthView } from "./ops/health.ts";
import { awaitLeadership, type Leadership } from "./ops/leader.ts";
import type { IndexerMetrics } from "./ops/metrics.ts";
import { createProgressReporter } from "./ops/progress.ts";
import { connectionOf } from "./ops/session-lock.ts";
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
  /** Blocks behind the head (beyond the confirmations) that count as lagging. */
  readyLagBlocks: number;
  /** How long lagging may last before /ready turns false (the lag alarm). */
  readyLagMs: number;
  /** Longest wait between restarts from the checkpoint (and attempts to take the lead). */
  restartMaxDelayMs: number;
}

export interface IndexerArgs {
  target: IndexerTarget;
  settings: IndexerSettings;
  pool: Pool;
  logger: Logger;
  metrics: IndexerMetrics;
  /** What wakes the sync between polls, instead of a newHeads subscription (tests inject a clock). */
  heads?: NewHeads;
  /** Shared with the process's ops server (main.ts); one of its own otherwise. */
  health?: Health;
}

export interface IndexerStatus {
  chainId: number;
  contractAddress: string;
  indexedBlock: string | null;
  headBlock: string | null;
  finalizedBlock: string | null;
  lagBlocks: number | null;
  ready: boolean;
  healthy: boolean;
  role: HealthView["role"];
  /** Why not ready, when not. */
  reason: string | null;
  laggingSince: string | null;
}

export interface Indexer {
  run(signal: AbortSignal): Promise<void>;
  isReady(): boolean;
  isHealthy(): boolean;
  status(): IndexerStatus;
}

/** The version of the contract's event format this indexer reads (DocTel's EVENTS_VERSION()). */
export const EVENTS_VERSION = 2;
const SELECTOR_EVENTS_VERSION = keccak256Text("EVENTS_VERSION()").slice(0, 10);
const SELECTOR_EVENT_SEQUENCE = keccak256Text("eventSequence()").slice(0, 10);
const hex = (n: bigint) => `0x${n.toString(16)}`;

/** What the start-up checks learned. */
export interface TargetFacts {
  /** The contract's event count before the start block (0 when deployed there; null: unknown). */
  startEventSeq: number | null;
}

/**
 * The start-up checks, each failing at once with a message saying what to fix: the node serves
 * the configured chain, the address holds DocTel (with the event format this indexer reads),
 * and the start block is not beyond the head.
 */
export async function checkTarget(
  rpc: RpcClient,
  target: IndexerTarget,
  retry: RetryPolicy,
  logger: Logger,
): Promise<TargetFacts> {
  const call = <T>(method: string, params: unknown[]) =>
    withRetry(method, retry, logger, () => rpc.request<T>(method, params));
  const chainId = Number(await call<string>("eth_chainId", []));
  if (chainId !== target.chainId) {
    throw new ChainMismatchError(
      `the node at ${redactUrl(rpc.url)} serves chain ${chainId}, but DocTel is configured on chain ${target.chainId}`,
    );
  }
  const address = target.contractAddress;
  const code = await call<string>("eth_getCode", [address, "latest"]);
  if (!code || code === "0x") {
    throw new ChainMismatchError(
      `no contract at ${address} on chain ${chainId}: check CONTRACT_ADDRESS or the deployment file`,
    );
  }
  const version = await call<string>("eth_call", [
    { to: address, data: SELECTOR_EVENTS_VERSION },
    "latest",
  ]).then(
    (answer) => (/^0x[0-9a-f]{64}$/i.test(answer) ? Number(BigInt(answer)) : null),
    (error: unknown) => {
      if (isRetryable(error)) throw error;
      return null;
    },
  );
  if (version === null) {
    throw new ChainMismatchError(
      `the contract at ${address} on chain ${chainId} is not DocTel (it has no EVENTS_VERSION()): check CONTRACT_ADDRESS or the deployment file`,
    );
  }
  if (version !== EVENTS_VERSION) {
    throw new ChainMismatchError(
      `the DocTel contract at ${address} writes events of version ${version}; this indexer reads version ${EVENTS_VERSION}`,
    );
  }
  const head = BigInt(await call<string>("eth_blockNumber", []));
  if (target.deployBlock > head) {
    throw new ConfigError(
      `the start block ${target.deployBlock} (START_BLOCK or the deployment record) is beyond the chain head ${head}`,
    );
  }
  return { startEventSeq: await eventCountBefore(rpc, target, retry, logger) };
}

/**
 * The contract's event count before the start block: 0 when it was deployed at or after it,
 * its eventSequence() there otherwise (null when the node no longer has that state).
 */
async function eventCountBefore(
  rpc: RpcClient,
  target: IndexerTarget,
  retry: RetryPolicy,
  logger: Logger,
): Promise<number | null> {
  if (target.deployBlock === 0n) return 0;
  const before = hex(target.deployBlock - 1n);
  try {
    const code = await withRetry("eth_getCode", retry, logger, () =>
      rpc.request<string>("eth_getCode", [target.contractAddress, before]),
    );
    if (!code || code === "0x") return 0;
    const count = await withRetry("eth_call", retry, logger, () =>
      rpc.request<string>("eth_call", [
        { to: target.contractAddress, data: SELECTOR_EVENT_SEQUENCE },
        before,
      ]),
    );
    return Number(BigInt(count));
  } catch (error) {
    if (isRetryable(error)) throw error;
    logger.warn(
      { err: error, start_block: target.deployBlock.toString() },
      "cannot read the contract's event count before the start block; the first event read sets it",
    );
    return null;
  }
}

/** The contract's eventSequence() at a block (a hex number). */
async function eventSequenceAt(rpc: RpcClient, address: string, block: string): Promise<number> {
  const answer = await rpc.request<unknown>("eth_call", [
    { to: address, data: SELECTOR_EVENT_SEQUENCE },
    block,
  ]);
  if (typeof answer !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(answer)) {
    throw new RpcRequestError(
      `eth_call eventSequence() at block ${block}: expected one 32-byte word, got ${String(answer).slice(0, 80)}`,
    );
  }
  return Number(BigInt(answer));
}

export function createIndexer(args: IndexerArgs): Indexer {
  const { settings, target, logger, metrics } = args;
  let indexed: bigint | null = null;
  let head: bigint | null = null;
  let finalized: bigint | null = null;
  /** Batches and reorgs applied: a restart after progress starts its backoff over. */
  let progressed = 0;
  let facts: TargetFacts = { startEventSeq: null };
  let countWarned = false;
  /** Errors already reported when they happened (a failed commit), not to be reported twice. */
  const reported = new WeakSet<object>();
  const health =
    args.health ?? createHealth({ lagBlocks: settings.readyLagBlocks, lagMs: settings.readyLagMs });
  const restartPolicy: RetryPolicy = {
    retries: Number.POSITIVE_INFINITY,
    baseDelayMs: settings.retry.baseDelayMs,
    maxDelayMs: Math.min(settings.retry.maxDelayMs, settings.restartMaxDelayMs),
  };
  metrics.watchHealth(() => health.view());

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
  const lockConnection = connectionOf(args.pool);

  /** Logs a failure, counts it and turns /ready and /health red, once per error. */
  function report(error: unknown, retrying: boolean): void {
    if (typeof error === "object" && error !== null) {
      if (reported.has(error)) return;
      reported.add(error);
    }
    const code = error instanceof DocTelError ? error.code : "UNEXPECTED";
    metrics.errorsTotal.inc({ code });
    health.fail(describeError(error));
    const fields = { err: error, code, reason: describeError(error) };
    if (retrying) logger.error(fields, "indexing failed; resuming from the checkpoint");
    else logger.error(fields, "indexing failed");
  }

  return {
    isReady: () => health.view().ready,
    isHealthy: () => health.view().healthy,
    status: () => {
      const view = health.view();
      return {
        chainId: target.chainId,
        contractAddress: target.contractAddress,
        indexedBlock: indexed?.toString() ?? null,
        headBlock: head?.toString() ?? null,
        finalizedBlock: finalized?.toString() ?? null,
        lagBlocks: indexed !== null && head !== null ? Number(head - indexed) : null,
        ready: view.ready,
        healthy: view.healthy,
        role: view.role,
        reason: view.reason,
        laggingSince: view.laggingSince === null ? null : new Date(view.laggingSince).toISOString(),
      };
    },

    async run(signal) {
      logger.info(
        { rpc_url: redactUrl(settings.rpcUrl), chain_id: target.chainId, contract: target.contractAddress },
        "indexer starting",
      );
      facts = await checkTarget(rpc, target, settings.retry, logger);
      const heads: NewHeads | null =
        args.heads ?? (settings.rpcWsUrl ? subscribeNewHeads({ url: settings.rpcWsUrl, logger }) : null);
      try {
        while (!signal.aborted) {
          const leadership = await awaitLeadership(
            {
              connection: lockConnection,
              logger,
              retry: restartPolicy,
              onStandby: () => {
                // Waiting is this process's work now: whatever failed before is behind it.
                health.setRole("standby");
                health.recovered();
              },
              onFailure: (error) => report(error, true),
            },
            signal,
          );
          if (!leadership) return;
          health.setRole("leader");
          metrics.leader.set(1);
          metrics.leadershipsTotal.inc();
          logger.info({ lock_backend_pid: leadership.lockPid }, "leading: this process indexes");
          try {
            await lead(signal, leadership, heads);
          } finally {
            metrics.leader.set(0);
            await leadership.release();
          }
          if (signal.aborted) return;
          health.setRole("standby");
          logger.warn("no longer leading: waiting to lead again");
        }
      } finally {
        heads?.close();
        await store.close();
      }
    },
  };

  /**
   * The contract's eventSequence() at the end of `block`; null when the node cannot say (state
   * pruned, a block it no longer has): the numbers are then checked between answers only.
   */
  async function eventCountAt(block: bigint): Promise<number | null> {
    try {
      return await withRetry("eth_call", settings.retry, logger, () =>
        eventSequenceAt(rpc, target.contractAddress, hex(block)),
      );
    } catch (error) {
      if (!(error instanceof RpcRequestError)) throw error;
      if (!countWarned) {
        logger.warn(
          { err: error, block_number: block.toString() },
          "the node cannot tell the contract's event count at this block; numbers are checked between answers only",
        );
        countWarned = true;
      }
      return null;
    }
  }

  /**
   * Indexes while `leadership` holds, restarting from the checkpoint after retryable failures.
   * Returns when stopped or when the lead is lost; throws what cannot be retried.
   */
  async function lead(signal: AbortSignal, leadership: Leadership, heads: NewHeads | null): Promise<void> {
    const leading = AbortSignal.any([signal, leadership.lost]);
    let restart = 0;
    let progressAtRestart = progressed;
    while (!leading.aborted) {
      try {
        await follow(leading, heads, leadership);
        return;
      } catch (error) {
        if (signal.aborted) return;
        const lost = error instanceof LeadershipLostError || leadership.lost.aborted;
        report(error, isRetryable(error) || lost);
        if (lost) return;
        if (!isRetryable(error)) throw error;
        // The backoff starts over once indexing has moved on since the last restart.
        if (progressed > progressAtRestart) restart = 0;
        progressAtRestart = progressed;
        const delay = backoffDelay(Math.min(restart++, 8), restartPolicy);
        logger.warn({ delay_ms: delay, restart }, "resuming from the checkpoint after the backoff");
        await sleep(delay, leading);
      }
    }
  }

  async function follow(signal: AbortSignal, heads: NewHeads | null, leadership: Leadership): Promise<void> {
    const { checkpoint, window } = await store.open(
      { ...target, startEventSeq: facts.startEventSeq },
      {
        name: leadership.name,
        lockPid: leadership.lockPid,
        lockKey: leadership.lockKey,
      },
    );
    indexed = checkpoint.indexedBlock;
    finalized = checkpoint.finalizedBlock;
    const progress = createProgressReporter({
      logger,
      startBlock: checkpoint.indexedBlock,
      intervalMs: 5000,
      minLag: 100,
    });
    // A failed commit stops this run at once: the sync may be waiting for a block that is long
    // in coming, and nothing more may be written on top of a batch that is not.
    const stop = new AbortController();
    const running = AbortSignal.any([signal, stop.signal]);
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
        lastEventSeq: checkpoint.lastEventSeq,
        window,
      },
      eventCountAt,
      confirmations: settings.confirmations,
      finalityDepth: settings.finalityDepth,
      pollIntervalMs: settings.pollIntervalMs,
      ...(heads ? { waitForHead: (s: AbortSignal) => heads.wait(s) } : {}),
      // At start with nothing new to index, no batch will say so: the head alone makes us ready.
      onHead: (block) => {
        head = block.number;
        // Nothing left to write: whatever failed before is behind us.
        if (indexed !== null && head - indexed <= BigInt(settings.confirmations)) health.recovered();
        updateLag();
      },
      logger,
      metrics,
    });
    let rateEvents = 0;
    let rateStart = performance.now();
    let caughtUp = false;
    // Ready once what is committed is within READY_LAG_BLOCKS of the head the sync last read.
    const updateLag = () => {
      if (head === null || indexed === null) return;
      const lag = head - indexed - BigInt(settings.confirmations);
      health.progress(lag);
      const nowCaughtUp = lag <= BigInt(settings.readyLagBlocks);
      if (nowCaughtUp && !caughtUp)
        logger.info(
          { indexed_block: indexed.toString(), head_block: head.toString() },
          "caught up with the chain",
        );
      caughtUp = nowCaughtUp;
      metrics.lagBlocks.set(Number(head - indexed));
    };
    const applied = (event: BlockRun | Exclude<ChainEvent, { type: "block" }>) => {
      progressed++;
      health.recovered();
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
      updateLag();
    };

    // One batch commits while the next is prepared; everything else waits for that commit.
    const slot = createCommitSlot((error) => {
      report(error, isRetryable(error));
      stop.abort();
    });
    try {
      for await (const event of prefetch(sync.events(running), settings.prefetchDepth)) {
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
