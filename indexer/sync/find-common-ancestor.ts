import { ReorgPastFinalityError } from "../errors.ts";
import type { BlockRef } from "../rpc/types.ts";
import type { BlockWindow } from "./block-window.ts";

/**
 * Walks back from `from` through the blocks we accepted until one is still canonical: that is
 * the common ancestor. Fails loudly when the walk would pass the finalized block, or leaves the
 * blocks we know: the database cannot be rolled back safely past that point.
 */
export async function findCommonAncestor<B extends BlockRef>(args: {
  window: BlockWindow<B>;
  from: bigint;
  finalized: bigint;
  canonicalAt: (n: bigint) => Promise<BlockRef | null>;
}): Promise<B> {
  if (args.from < args.finalized) {
    throw new ReorgPastFinalityError(
      `reorg past finality: block ${args.finalized} was final, but the chain now ends at block ${args.from}`,
      { details: { block_number: args.from.toString(), finalized_block: args.finalized.toString() } },
    );
  }
  for (let n = args.from; ; n--) {
    const ours = args.window.get(n);
    if (!ours) {
      throw new ReorgPastFinalityError(
        `reorg reaches block ${n}, below the ${args.window.size} recent blocks the indexer keeps (finalized ${args.finalized})`,
        { details: { block_number: n.toString(), finalized_block: args.finalized.toString() } },
      );
    }
    const theirs = await args.canonicalAt(n);
    if (theirs && theirs.hash === ours.hash) return ours;
    if (n <= args.finalized) {
      throw new ReorgPastFinalityError(
        `reorg past finality: block ${n} was ${ours.hash} and is now ${theirs?.hash ?? "missing"}, but block ${args.finalized} was final`,
        { details: { block_number: n.toString(), finalized_block: args.finalized.toString() } },
      );
    }
  }
}
