/**
 * "Now" for a reading recorded without --at. The contract refuses a measuredAt later than the
 * including block's timestamp, and a node's clock may trail this machine's (Hardhat's blocks run
 * a second or more behind under load; a proposer's slot time trails the wall clock on
 * mainnet). The pending block's timestamp is never later than the block that will include the
 * transaction, so the default is the earlier of the two clocks.
 */
import type { PublicClient } from "viem";

export async function readingTime(publicClient: PublicClient): Promise<number> {
  const local = Math.floor(Date.now() / 1000);
  try {
    const pending = await publicClient.getBlock({ blockTag: "pending" });
    return Math.min(local, Number(pending.timestamp));
  } catch {
    return local; // a node without a pending block: the contract's own check still applies
  }
}
