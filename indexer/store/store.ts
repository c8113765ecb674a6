/**
 * The database side of the pipeline: applies ChainEvents, each in one transaction that also
 * moves the checkpoint, so a crash at any moment loses and duplicates nothing.
 *
 * A block event is applied in two steps: `prepare` folds it onto the in-memory current state
 * and encodes its writes; `commit` runs them. The next batch may be prepared while the previous
 * one commits (the CPU of one overlaps the database work of the other); commits stay in order.
 */
import type { Pool, PoolClient } from "pg";
import { classifyDatabaseError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/logger.ts";
import type { DocTelEvent } from "../decode/events.ts";
import type { IndexerMetrics } from "../ops/metrics.ts";
import type { ChainEvent } from "../sync/chain-event.ts";
import { YIELD_EVERY, yieldToIo } from "../sync/yield-to-io.ts";
import { pendingKeys } from "./batch-state.ts";
import { type BatchWriter, connectionOf, createBatchWriter } from "./batch-writer.ts";
import { runWriteSteps, type WriteStep, type WriteTimings } from "./bulk.ts";
import {
  advanceCheckpointStep,
  type Checkpoint,
  type CheckpointTarget,
  classifyWriteError,
  type Fence,
  fenceStep,
  initCheckpoint,
  type Leader,
  markFinalizedSteps,
  readWindow,
  saveBlocksStep,
} from "./checkpoint.ts";
import { createEntityCache, type PendingKeys } from "./entity-cache.ts";
import { loadBatchState } from "./load-state.ts";
import { createPartitions } from "./partitions.ts";
import { reduceEvent } from "./reduce.ts";
import { rollbackTo } from "./rollback.ts";
import { planBatchWrites } from "./write-batch.ts";

export type BlockEvent = Extract<ChainEvent, { type: "block" }>;

export interface StoreArgs {
  pool: Pool;
  logger: Logger;
  metrics: IndexerMetrics;
  /** Current-state rows kept in memory between batches (members, patients, treatments, grants). */
  cacheEntries: number;
  /** Width of the block-range partitions the store creates ahead (default: partitions.ts). */
  blocksPerPartition?: number;
}

/** A block event without its events: what is left to know once they are folded and encoded. */
export type BlockRun = Omit<BlockEvent, "logs"> & { eventCount: number };

/** A block event folded and encoded, ready to commit. */
export interface PreparedBatch {
  run: BlockRun;
  steps: (WriteStep | null)[];
  /** Rows this batch changed: they stay cached until it is committed. */
  pending: PendingKeys;
  eventCounts: Map<string, number>;
  timings: WriteTimings;
}

export interface Store {
  /**
   * Creates or checks the checkpoint for `leader` (moving the leader epoch on); returns it with
   * the recent block window. Every later write is fenced by that epoch and the leader's lock.
   */
  open(
    target: CheckpointTarget,
    leader: Leader,
  ): Promise<{
    checkpoint: Checkpoint;
    window: Awaited<ReturnType<typeof readWindow>>;
  }>;
  /** Folds a block event onto the current state and plans its writes. */
  prepare(event: BlockEvent): Promise<PreparedBatch>;
  /** Writes a prepared batch and its checkpoint in one transaction. Batches commit in prepare order. */
  commit(batch: PreparedBatch): Promise<void>;
  /** prepare + commit for blocks; rollback for reorgs; the finality mark. */
  apply(event: ChainEvent): Promise<void>;
  /** Stops the writer thread (after the batch it is writing, if any). */
  close(): Promise<void>;
}

export function createStore(args: StoreArgs): Store {
  const { pool, logger, metrics } = args;
  const cache = createEntityCache(args.cacheEntries);
  /** The batch being committed: its rows must stay in the cache until it is written. */
  let committing: PreparedBatch | null = null;
  /** Commits block batches on a thread of its own (started at the first batch). */
  let writer: BatchWriter | null = null;
  /** The finalized block as of the last batch prepared: changes above it are undo-logged. */
  let finalized = -1n;
  /** Set by open(): the leader this store writes for. */
  let fence: Fence | null = null;
  const fenced = (): WriteStep => {
    if (!fence) throw new Error("store: open() the checkpoint before writing");
    return fenceStep(fence);
  };

  /** Runs `fn` in a transaction; database failures come out classified (retryable or not). */
  async function inTransaction<T>(what: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw classifyWriteError(error, what);
    }
    try {
      await client.query("BEGIN");
      const result = await fn(client);
      await client.query("COMMIT");
      client.release();
      return result;
    } catch (error) {
      // A connection that failed is not given back to the pool.
      await client.query("ROLLBACK").then(
        () => client.release(),
        () => client.release(true),
      );
      throw classifyWriteError(error, what);
    }
  }

  /** Partitions are created ahead in transactions of their own, fenced like every write. */
  const partitions = createPartitions(
    (fn) =>
      inTransaction("creating partitions", async (client) => {
        await runWriteSteps(client, [fenced()]);
        return fn(client);
      }),
    args.blocksPerPartition,
  );

  async function prepare(event: BlockEvent): Promise<PreparedBatch> {
    const timings: WriteTimings = {};
    try {
      cache.trim(committing?.pending ?? null);
      let mark = performance.now();
      const events: DocTelEvent[] = new Array(event.logs.count);
      for (let i = 0; i < events.length; i++) {
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToIo();
        events[i] = event.logs.decode(i);
      }
      event.logs.release();
      timings.decode_ms = performance.now() - mark;
      mark = performance.now();
      // Blocks final once this batch commits record no undo images: backfill pays nothing for reorgs.
      if (event.finalizedBlock !== null && event.finalizedBlock > finalized) finalized = event.finalizedBlock;
      // Rows not in the cache are unchanged by any batch not yet committed: read them as committed.
      const state = await loadBatchState(pool, events, cache, finalized).catch((error: unknown) => {
        throw classifyDatabaseError(error, "reading current state");
      });
      timings.load_ms = performance.now() - mark;
      mark = performance.now();
      for (let i = 0; i < events.length; i++) {
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToIo();
        reduceEvent(state, events[i]!);
      }
      timings.reduce_ms = performance.now() - mark;
      mark = performance.now();
      const steps = planBatchWrites(state);
      timings.encode_ms = performance.now() - mark;
      // Partitions for this batch's rows, created ahead, before its writes are handed over.
      await partitions.ensure(event.fromBlock, event.toBlock.number);
      const { logs, ...rest } = event;
      const pending = pendingKeys(state);
      return {
        run: { ...rest, eventCount: logs.count },
        steps,
        pending,
        eventCounts: state.eventCounts,
        timings,
      };
    } catch (error) {
      // The fold may have stopped halfway through the cached rows.
      cache.clear();
      throw error;
    }
  }

  async function commit(batch: PreparedBatch): Promise<void> {
    const { run: event } = batch;
    const started = performance.now();
    committing = batch;
    try {
      writer ??= createBatchWriter(connectionOf(pool));
      const written = await writer.write(
        [
          fenced(),
          ...batch.steps,
          saveBlocksStep(event.blocks),
          advanceCheckpointStep(event.toBlock, event.headBlock, event.lastEventSeq),
          ...(event.finalizedBlock !== null ? markFinalizedSteps(event.finalizedBlock) : []),
        ],
        `blocks ${event.fromBlock}-${event.toBlock.number}`,
      );
      Object.assign(batch.timings, written);
    } catch (error) {
      // The cache holds this batch (and maybe the next one), which the database does not.
      cache.clear();
      // A writer whose thread died fails every later write: the next commit starts a new one.
      if (writer?.broken) writer = null;
      throw error;
    } finally {
      committing = null;
    }
    for (const [name, n] of batch.eventCounts) metrics.eventsTotal.inc({ event: name }, n);
    const seconds = (performance.now() - started) / 1000;
    metrics.batchDuration.observe(seconds);
    metrics.batchEvents.observe(event.eventCount);
    metrics.indexedBlock.set(Number(event.toBlock.number));
    if (event.lastEventSeq !== null) metrics.eventSequence.set(event.lastEventSeq);
    if (event.finalizedBlock !== null) metrics.finalizedBlock.set(Number(event.finalizedBlock));
    metrics.lagBlocks.set(Number(event.headBlock - event.toBlock.number));
    if (logger.isLevelEnabled("debug")) {
      logger.debug(
        {
          from_block: event.fromBlock.toString(),
          to_block: event.toBlock.number.toString(),
          events: event.eventCount,
          duration_ms: Math.round(seconds * 1000),
          ...Object.fromEntries(Object.entries(batch.timings).map(([k, v]) => [k, Math.round(v)])),
        },
        "batch committed",
      );
    }
  }

  return {
    async open(target, leader) {
      cache.clear();
      partitions.reset();
      fence = null;
      const opened = await inTransaction("opening the checkpoint", async (client) => ({
        checkpoint: await initCheckpoint(client, target, leader),
        window: await readWindow(client),
      }));
      fence = { epoch: opened.checkpoint.leaderEpoch, lockPid: leader.lockPid, lockKey: leader.lockKey };
      finalized = opened.checkpoint.finalizedBlock;
      return opened;
    },

    prepare,
    commit,

    async close() {
      const w = writer;
      writer = null;
      await w?.close();
    },

    async apply(event) {
      const started = performance.now();
      switch (event.type) {
        case "block":
          await commit(await prepare(event));
          return;
        case "reorg": {
          // Rows rebuilt by the rollback differ from the cached ones.
          cache.clear();
          const result = await inTransaction("rolling back a reorg", async (client) => {
            await runWriteSteps(client, [fenced()]);
            const r = await rollbackTo(client, event.commonAncestor.number);
            await runWriteSteps(client, [
              advanceCheckpointStep(event.commonAncestor, event.headBlock, event.lastEventSeq),
            ]);
            return r;
          });
          metrics.reorgsTotal.inc();
          metrics.reorgDepth.observe(event.reorgedBlocks.length);
          metrics.indexedBlock.set(Number(event.commonAncestor.number));
          logger.warn(
            {
              common_ancestor: event.commonAncestor.number.toString(),
              depth: event.reorgedBlocks.length,
              deleted_rows: result.deleted,
              restored_rows: result.restored,
              duration_ms: Math.round(performance.now() - started),
            },
            "rolled back reorganized blocks",
          );
          return;
        }
        case "finalize": {
          await inTransaction("marking blocks final", (client) =>
            runWriteSteps(client, [fenced(), ...markFinalizedSteps(event.block)]),
          );
          if (event.block > finalized) finalized = event.block;
          metrics.finalizedBlock.set(Number(event.block));
          return;
        }
      }
    },
  };
}
