/**
 * Follows the chain from a checkpoint and describes what happened as ChainEvents: runs of new
 * blocks with their DocTel events, reorgs (found by comparing block hashes, since log
 * subscriptions never report removed logs), and finality. Backfill and live following are the
 * same loop: far behind, ranges are large; at the head, they are a block or two.
 */
import type { Logger } from "../../shared/logger.ts";
import { createBatchDecoder } from "../decode/decoder.ts";
import { EventSequenceGapError, InconsistentChainDataError } from "../errors.ts";
import type { IndexerMetrics } from "../ops/metrics.ts";
import type { LogBatch } from "../rpc/log-batch.ts";
import { sleep } from "../rpc/retry.ts";
import type { BlockRef } from "../rpc/types.ts";
import { type BlockWindow, createBlockWindow } from "./block-window.ts";
import type { ChainEvent, CheckpointBlock, RunLogs, SequencedBlock } from "./chain-event.ts";
import { checkSequence, lastNumberAt } from "./event-sequence.ts";
import { findCommonAncestor } from "./find-common-ancestor.ts";
import type { HeaderFetcher } from "./header-fetcher.ts";
import type { LogFetcher } from "./log-fetcher.ts";
import { headersForRun } from "./run-headers.ts";

export interface SyncCheckpoint {
  indexedBlock: bigint;
  finalizedBlock: bigint;
  /** The number of the last event committed (null: not known, the next one read is taken). */
  lastEventSeq: number | null;
  /** Accepted recent blocks (from the database), including the indexed block when unfinalized. */
  window: SequencedBlock[];
}

/** How often the head is re-read while far behind it. */
const HEAD_REFRESH_MS = 1000;

export interface ChainSyncArgs {
  headers: HeaderFetcher;
  logs: LogFetcher;
  checkpoint: SyncCheckpoint;
  /** Blocks behind the head before a block is indexed (0 = index the head). */
  confirmations: number;
  /** Blocks behind the head after which a block can no longer be reorganized. */
  finalityDepth: number;
  pollIntervalMs: number;
  /** Resolves early when a new head is announced (e.g. a newHeads subscription). */
  waitForHead?: (signal: AbortSignal) => Promise<void>;
  /** Called with the head each time it is read. */
  onHead?: (head: BlockRef) => void;
  /**
   * The contract's own event count at the end of a block (null: the node cannot say). Each run's
   * last number is checked against it before the run goes on: a node that drops the last logs
   * of an answer leaves no later number to show the gap.
   */
  eventCountAt?: (block: bigint) => Promise<number | null>;
  logger: Logger;
  metrics: IndexerMetrics;
}

export interface ChainSync {
  events(signal: AbortSignal): AsyncGenerator<ChainEvent>;
}

export function createChainSync(args: ChainSyncArgs): ChainSync {
  const C = BigInt(args.confirmations);
  const F = BigInt(args.finalityDepth);

  return {
    async *events(signal) {
      const window: BlockWindow<SequencedBlock> = createBlockWindow(args.checkpoint.window);
      let indexed = args.checkpoint.indexedBlock;
      let finalized = args.checkpoint.finalizedBlock;
      let lastSeq = args.checkpoint.lastEventSeq;

      // The block before the first one indexed anchors the parent-hash chain.
      if (!window.get(indexed)) {
        const anchor = await args.headers.byNumber(indexed, signal);
        if (anchor) window.add({ ...anchor, lastEventSeq: lastSeq });
      }

      let head: BlockRef | null = null;
      let headReadAt = 0;
      while (!signal.aborted) {
        // Far behind the head, re-reading it for every range costs a round trip each time (and
        // waits behind the node's work on the next range): once a second is enough.
        if (
          !head ||
          indexed >= head.number - C ||
          performance.now() - headReadAt >= Math.max(HEAD_REFRESH_MS, args.pollIntervalMs)
        ) {
          head = await args.headers.latest(signal);
          headReadAt = performance.now();
          args.metrics.headBlock.set(Number(head.number));
          args.onHead?.(head);
        }
        const safe = head.number - C;
        const headFinal = head.number - F;

        // 1. Is the block we indexed last still canonical?
        const tip = window.get(indexed);
        if (tip && indexed > finalized) {
          const canonical =
            indexed === head.number
              ? head
              : indexed < head.number
                ? await args.headers.byNumber(indexed, signal)
                : null;
          if (!canonical || canonical.hash !== tip.hash) {
            const reorg = await reorgFrom(indexed, head.number);
            indexed = reorg.commonAncestor.number;
            lastSeq = reorg.lastEventSeq;
            yield reorg;
            continue;
          }
        }

        // 2. New blocks to index?
        if (indexed < safe) {
          const run = await readRun(indexed + 1n, safe, headFinal);
          if (run === "reorg") {
            const reorg = await reorgFrom(indexed, head.number);
            indexed = reorg.commonAncestor.number;
            lastSeq = reorg.lastEventSeq;
            yield reorg;
            continue;
          }
          if (run === "retry") continue;

          for (const b of run.unfinal) window.add(b);
          indexed = run.toBlock.number;
          lastSeq = run.lastEventSeq;
          // Finality the new blocks bring is written with them (one transaction, not two).
          const final = headFinal < indexed ? headFinal : indexed;
          const finalizedBlock = final > finalized ? final : null;
          if (finalizedBlock !== null) {
            finalized = finalizedBlock;
            window.pruneBelow(finalized);
          }
          yield {
            type: "block",
            fromBlock: run.fromBlock,
            toBlock: run.toBlock,
            blocks: run.unfinal,
            logs: run.logs,
            lastEventSeq: run.lastEventSeq,
            finalizedBlock,
            headBlock: head.number,
          };
        }

        // 3. Finality moved without new blocks?
        const newFinal = headFinal < indexed ? headFinal : indexed;
        if (newFinal > finalized) {
          finalized = newFinal;
          window.pruneBelow(finalized);
          yield { type: "finalize", block: finalized, headBlock: head.number };
        }

        if (indexed >= safe) {
          const wake = new AbortController();
          const onAbort = () => wake.abort();
          signal.addEventListener("abort", onAbort, { once: true });
          await Promise.race([
            sleep(args.pollIntervalMs, wake.signal),
            args.waitForHead ? args.waitForHead(wake.signal).catch(() => undefined) : new Promise(() => {}),
          ]);
          wake.abort();
          signal.removeEventListener("abort", onAbort);
        }
      }

      /**
       * Reads the logs of the next range and the headers it needs, checks them against each other
       * and against the accepted blocks. "reorg": the range does not extend what we accepted;
       * "retry": the chain moved while we read it.
       */
      async function readRun(
        from: bigint,
        limit: bigint,
        headFinal: bigint,
      ): Promise<
        | {
            fromBlock: bigint;
            toBlock: CheckpointBlock;
            unfinal: SequencedBlock[];
            logs: RunLogs;
            lastEventSeq: number | null;
          }
        | "reorg"
        | "retry"
      > {
        const chunk = await args.logs.next(from, limit, signal, headFinal);
        // The contract's count at the range's end, asked while the headers are read.
        const count = countAt(chunk.toBlock);
        const logs = chunk.logs;
        // Headers from the finalized block up (the walk back of a reorg must reach it), and below
        // it only what no log says (see run-headers.ts).
        const { numbers, firstUnfinal } = headersForRun(logs, chunk.fromBlock, chunk.toBlock, headFinal);
        const fetched = await args.headers.many(numbers, signal);
        const byNumber = new Map(fetched.map((b) => [b.number, b]));
        const unfinal = fetched.filter((b) => b.number >= firstUnfinal);
        // A final last block that a log describes: the checkpoint takes its number and hash from the log.
        const toBlock: CheckpointBlock = byNumber.get(chunk.toBlock) ?? {
          number: chunk.toBlock,
          hash: logs.blockHash(logs.count - 1).toLowerCase() as `0x${string}`,
        };

        // Parent links of the unfinalized part: the first must extend what we accepted.
        const linkError = checkLinks(unfinal, window);
        if (linkError === "parent") return "reorg";
        if (linkError) {
          args.logger.info({ reason: linkError }, "chain changed during fetch, refetching");
          return "retry";
        }
        const times = checkRuns(chunk.logs, byNumber, args.logger);
        if (!times) return "retry";
        // Every event there, numbered on from the last one committed; the numbers' own events
        // (AccessControlSequenced) stop here.
        const sequence = checkSequence(chunk.logs, lastSeq);
        const counted = await count;
        if ("error" in counted) throw counted.error;
        checkCount(counted.value, sequence.last, chunk.toBlock);
        const lastAt = lastNumberAt(
          sequence,
          lastSeq,
          unfinal.map((b) => b.number),
        );
        return {
          fromBlock: chunk.fromBlock,
          toBlock,
          unfinal: unfinal.map((b, i) => ({ ...b, lastEventSeq: lastAt[i] ?? null })),
          logs: runLogs(chunk.logs, times, sequence.kept),
          lastEventSeq: sequence.last,
        };
      }

      function countAt(block: bigint): Promise<{ value: number | null } | { error: unknown }> {
        if (!args.eventCountAt) return Promise.resolve({ value: null });
        // Settled as a value: the run may be dropped (a reorg) before anyone awaits it.
        return args.eventCountAt(block).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
      }

      async function reorgFrom(from: bigint, headNumber: bigint): Promise<ChainEvent & { type: "reorg" }> {
        const start = from <= headNumber ? from : headNumber;
        // Blocks above the new head are gone whatever their hash.
        const commonAncestor = await findCommonAncestor({
          window,
          from: start,
          finalized,
          canonicalAt: (n) => args.headers.byNumber(n, signal),
        });
        const reorgedBlocks = window.truncateAbove(commonAncestor.number);
        // Numbers go on from the last event at the common ancestor.
        const lastEventSeq = commonAncestor.lastEventSeq ?? null;
        args.logger.warn(
          {
            common_ancestor: commonAncestor.number.toString(),
            depth: reorgedBlocks.length,
            reorged_from: reorgedBlocks[0]?.number.toString(),
          },
          "chain reorganization",
        );
        return { type: "reorg", commonAncestor, reorgedBlocks, lastEventSeq, headBlock: headNumber };
      }
    },
  };
}

/**
 * Checks each block's logs against its header (when we track it) and finds its time, once per
 * run of logs of one block hash. Null when a log's block hash is not the header's: the log is
 * from a block that is no longer canonical, and the range is read again. One block number with
 * two hashes in one answer, where no header says which is canonical, is an error.
 */
function checkRuns(
  logs: LogBatch,
  byNumber: ReadonlyMap<bigint, BlockRef>,
  logger: Logger,
): Float64Array | null {
  const times = new Float64Array(logs.count);
  let time = 0;
  let header: BlockRef | undefined;
  for (let i = 0; i < logs.count; i++) {
    const sameNumber = i > 0 && logs.sameBlockNumber(i, i - 1);
    if (!sameNumber) {
      const n = BigInt(logs.blockNumber(i));
      header = byNumber.get(n);
      const sent = logs.blockTimestamp(i);
      if (sent === undefined && header === undefined)
        throw new InconsistentChainDataError(`no timestamp for block ${n}`);
      time = sent ?? header!.timestamp;
      if (Number.isNaN(time)) throw new InconsistentChainDataError(`block ${n} has no valid timestamp`);
    }
    if (!sameNumber || !logs.sameBlockHash(i, i - 1)) {
      const hash = logs.blockHash(i).toLowerCase();
      if (header && header.hash !== hash) {
        logger.info(
          { block_number: logs.blockNumber(i).toString(), log_hash: hash, header_hash: header.hash },
          "log from a block that is no longer canonical, refetching",
        );
        return null;
      }
      if (!header && sameNumber && hash !== logs.blockHash(i - 1).toLowerCase()) {
        throw new InconsistentChainDataError(
          `block ${logs.blockNumber(i)} has logs of two hashes in one eth_getLogs answer: ${logs.blockHash(i - 1)} and ${hash}`,
        );
      }
    }
    times[i] = time;
  }
  return times;
}

/** The logs to index, decoded when applied; `kept` leaves some out (null: none). */
function runLogs(logs: LogBatch, times: Float64Array, kept: Int32Array | null): RunLogs {
  const decoder = createBatchDecoder(logs);
  if (!kept) {
    return { count: logs.count, decode: (i) => decoder.decode(i, times[i]!), release: () => logs.release() };
  }
  return {
    count: kept.length,
    decode: (i) => decoder.decode(kept[i]!, times[kept[i]!]!),
    release: () => logs.release(),
  };
}

/**
 * Checks parent links of consecutive new headers. "parent" means the first header does not
 * extend the block we accepted before it (a reorg); any other string is a break inside the
 * fetched run (the chain moved while we read it).
 */
function checkLinks(headers: BlockRef[], window: BlockWindow): string | null {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    const parent = i === 0 ? window.get(h.number - 1n) : headers[i - 1];
    if (!parent || parent.number !== h.number - 1n) continue;
    if (h.parentHash !== parent.hash) {
      if (i === 0) return "parent";
      return `block ${h.number} hash ${h.hash} expected parent ${parent.hash}, got ${h.parentHash}`;
    }
  }
  return null;
}

/** The run's last number against the contract's own count at its last block. */
function checkCount(count: number | null, last: number | null, block: bigint): void {
  if (count === null || last === null || count === last) return;
  if (count > last) {
    throw new EventSequenceGapError(
      `the contract numbered ${count} events up to block ${block}, but the node's logs end at #${last}: ${count - last} event(s) missing`,
      { details: { block_number: block.toString(), seq: last, contract_seq: count } },
    );
  }
  throw new InconsistentChainDataError(
    `the node's logs reach event #${last} by block ${block}, but the contract counts ${count} there`,
    { details: { block_number: block.toString(), seq: last, contract_seq: count } },
  );
}
