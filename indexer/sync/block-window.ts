import type { BlockRef } from "../rpc/types.ts";

/**
 * The recent blocks the indexer has accepted as canonical, by number: the unfinalized window
 * plus the finalized block itself, against which new headers are checked by parent hash.
 */
export interface BlockWindow {
  get(number: bigint): BlockRef | undefined;
  add(block: BlockRef): void;
  /** Drops blocks above `number` and returns them, highest last. */
  truncateAbove(number: bigint): BlockRef[];
  /** Drops blocks below `number`. */
  pruneBelow(number: bigint): void;
  lowest(): BlockRef | undefined;
  readonly size: number;
}

export function createBlockWindow(initial: Iterable<BlockRef> = []): BlockWindow {
  const blocks = new Map<bigint, BlockRef>();
  for (const b of initial) blocks.set(b.number, b);
  return {
    get: (n) => blocks.get(n),
    add(block) {
      blocks.set(block.number, block);
    },
    truncateAbove(number) {
      const removed = [...blocks.values()]
        .filter((b) => b.number > number)
        .sort((a, b) => cmp(a.number, b.number));
      for (const b of removed) blocks.delete(b.number);
      return removed;
    },
    pruneBelow(number) {
      for (const n of blocks.keys()) if (n < number) blocks.delete(n);
    },
    lowest() {
      let low: BlockRef | undefined;
      for (const b of blocks.values()) if (!low || b.number < low.number) low = b;
      return low;
    },
    get size() {
      return blocks.size;
    },
  };
}

const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
