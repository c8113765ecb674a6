import type { DocTelEvent } from "../decode/events.ts";
import type { BlockRef } from "../rpc/types.ts";

/**
 * The DocTel logs of a run of blocks, checked against the blocks and decoded when applied: a
 * decoded event is a dozen objects, and decoding early only makes them wait in memory.
 */
export interface RunLogs {
  readonly count: number;
  /** Decodes log `i` (throws UndecodableLogError for a log that is not a DocTel event). */
  decode(i: number): DocTelEvent;
  /** Every log is decoded: the memory holding them may be reused. No decode() after this. */
  release(): void;
}

/** A block the indexer accepted, with the number of the last event at its end (null: unknown). */
export type SequencedBlock = BlockRef & { lastEventSeq?: number | null };

/**
 * The last block of a run, as the checkpoint records it. Below the final block a log may be all
 * the indexer read of it (no header: see run-headers.ts), so it has no parent hash or time here.
 */
export type CheckpointBlock = Pick<BlockRef, "number" | "hash">;

/**
 * What the chain did, as data. The sync produces these in order; the store applies them.
 *
 * - `block`: a contiguous run of new canonical blocks [fromBlock, toBlock] and DocTel's logs in
 *   them, in chain order. `blocks` holds the headers of the run's unfinalized blocks (kept for reorg detection);
 *   `finalizedBlock`, when not null, is the block up to which finality moved with this run.
 *   `lastEventSeq` is the number of the run's last event (every DocTel event is numbered; the
 *   sync checked that none is missing), or the one before the run when it has none.
 * - `reorg`: the blocks after `commonAncestor` are no longer canonical; undo what they did.
 *   Numbering goes on from `lastEventSeq`, the last event at the common ancestor.
 * - `finalize`: blocks up to `block` can no longer be reorganized (finality moved on its own).
 */
export type ChainEvent =
  | {
      type: "block";
      fromBlock: bigint;
      toBlock: CheckpointBlock;
      blocks: SequencedBlock[];
      logs: RunLogs;
      lastEventSeq: number | null;
      finalizedBlock: bigint | null;
      headBlock: bigint;
    }
  | {
      type: "reorg";
      commonAncestor: SequencedBlock;
      reorgedBlocks: BlockRef[];
      lastEventSeq: number | null;
      headBlock: bigint;
    }
  | { type: "finalize"; block: bigint; headBlock: bigint };
