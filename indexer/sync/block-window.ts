import type { BlockRef } from "../rpc/types.ts";

/**
 * The recent blocks the indexer has accepted as canonical, by number: the unfinalized window
 * plus the finalized block itself, against which new headers are checked by parent hash.
 */
export interface BlockWindow<B extends BlockRef = BlockRef> {
  get(number: bigint): B | undefined;
  add(block: B): void;
  /** Drops blocks above `number` and returns them, highest last. */
  truncateAbove(number: bigint): B[];
  /** Drops blocks below `number`. */
  pruneBelow(number: bigint): void;
  lowest(): B | undefined;
  readonly size: number;
}

export function createBlockWindow<B extends BlockRef = BlockRef>(initial: Iterable<B> = []): BlockWindow<B> {
  const blocks = new Map<bigint, B>();
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
      let low: B | undefined;
      for (const b of blocks.values()) if (!low || b.number < low.number) low = b;
      return low;
    },
    get size() {
      return blocks.size;
    },
  };
}

const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
