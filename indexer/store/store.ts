/**
 * The database side of the pipeline: applies ChainEvents, each in one transaction that also
 * moves the checkpoint, so a crash at any moment loses and duplicates nothing.
 */
import type { Pool, PoolClient } from "pg";
import type { Logger } from "../../shared/logger.ts";
import type { IndexerMetrics } from "../ops/metrics.ts";
import type { ChainEvent } from "../sync/chain-event.ts";
import { advanceCheckpoint, type Checkpoint, initCheckpoint, readWindow, saveBlocks } from "./checkpoint.ts";
import { loadBatchState } from "./load-state.ts";
import { reduceEvent } from "./reduce.ts";
import { rollbackTo } from "./rollback.ts";
import { type WriteTimings, writeBatch } from "./write-batch.ts";

export interface StoreArgs {
  pool: Pool;
  logger: Logger;
  metrics: IndexerMetrics;
}

export interface Store {
  /** Creates or checks the checkpoint; returns it with the recent block window. */
  open(target: { chainId: number; contractAddress: string; deployBlock: bigint }): Promise<{
    checkpoint: Checkpoint;
    window: Awaited<ReturnType<typeof readWindow>>;
  }>;
  apply(event: ChainEvent): Promise<void>;
}

export function createStore(args: StoreArgs): Store {
  const { pool, logger, metrics } = args;

  async function inTransaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  return {
    async open(target) {
      return inTransaction(async (client) => ({
        checkpoint: await initCheckpoint(client, target),
        window: await readWindow(client),
      }));
    },

    async apply(event) {
      const started = performance.now();
      switch (event.type) {
        case "block": {
          const timings: WriteTimings = {};
          await inTransaction(async (client) => {
            let mark = performance.now();
            const state = await loadBatchState(client, event.events);
            timings.load_ms = Math.round(performance.now() - mark);
            mark = performance.now();
            for (const ev of event.events) reduceEvent(state, ev);
            timings.reduce_ms = Math.round(performance.now() - mark);
            await writeBatch(client, state, timings);
            mark = performance.now();
            await saveBlocks(client, event.blocks);
            await advanceCheckpoint(client, event.toBlock, event.headBlock);
            timings.checkpoint_ms = Math.round(performance.now() - mark);
            for (const [name, n] of state.eventCounts) metrics.eventsTotal.inc({ event: name }, n);
          });
          const seconds = (performance.now() - started) / 1000;
          metrics.batchDuration.observe(seconds);
          metrics.batchEvents.observe(event.events.length);
          metrics.indexedBlock.set(Number(event.toBlock.number));
          metrics.lagBlocks.set(Number(event.headBlock - event.toBlock.number));
          logger.debug(
            {
              from_block: event.fromBlock.toString(),
              to_block: event.toBlock.number.toString(),
              events: event.events.length,
              duration_ms: Math.round(seconds * 1000),
              ...timings,
            },
            "batch committed",
          );
          return;
        }
        case "reorg": {
          const result = await inTransaction(async (client) => {
            const r = await rollbackTo(client, event.commonAncestor.number);
            await advanceCheckpoint(client, event.commonAncestor, event.headBlock);
            return r;
          });
          metrics.reorgsTotal.inc();
          metrics.reorgDepth.observe(event.reorgedBlocks.length);
          metrics.indexedBlock.set(Number(event.commonAncestor.number));
          logger.warn(
            {
              common_ancestor: event.commonAncestor.number.toString(),
              depth: event.reorgedBlocks.length,
              events: result.events,
              treatments: result.treatments,
              patients: result.patients,
              duration_ms: Math.round(performance.now() - started),
            },
            "rolled back reorganized blocks",
          );
          return;
        }
        case "finalize": {
          await inTransaction(async (client) => {
            await client.query(
              "UPDATE indexer_state SET finalized_block = GREATEST(finalized_block, $1) WHERE id = 1",
              [event.block.toString()],
            );
            await client.query("DELETE FROM chain_block WHERE number < $1", [event.block.toString()]);
          });
          metrics.finalizedBlock.set(Number(event.block));
          return;
        }
      }
    },
  };
}
