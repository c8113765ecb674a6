import type { DocTelEvent } from "../decode/events.ts";
import type { BlockRef } from "../rpc/types.ts";

/**
 * What the chain did, as data. The sync produces these in order; the store applies them.
 *
 * - `block`: a contiguous run of new canonical blocks [fromBlock, toBlock] and DocTel's events in
 *   them. `blocks` holds the headers of the run's unfinalized blocks (kept for reorg detection);
 *   `finalizedBlock`, when not null, is the block up to which finality moved with this run.
 * - `reorg`: the blocks after `commonAncestor` are no longer canonical; undo what they did.
 * - `finalize`: blocks up to `block` can no longer be reorganized (finality moved on its own).
 */
export type ChainEvent =
  | {
      type: "block";
      fromBlock: bigint;
      toBlock: BlockRef;
      blocks: BlockRef[];
      events: DocTelEvent[];
      finalizedBlock: bigint | null;
      headBlock: bigint;
    }
  | { type: "reorg"; commonAncestor: BlockRef; reorgedBlocks: BlockRef[]; headBlock: bigint }
  | { type: "finalize"; block: bigint; headBlock: bigint };
