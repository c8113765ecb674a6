import type { LogBatch } from "../rpc/log-batch.ts";

/**
 * Which headers a run of logs [fromBlock, toBlock] needs, given the last final block:
 *
 * - every block from the final one up (`firstUnfinal`..toBlock): their parent hashes link the run
 *   to what was accepted, each log's block hash is checked against them, and the walk back of a
 *   later reorg needs them all. A log carries no parent hash, so these are fetched even when logs
 *   describe them;
 * - below that, nothing can be reorganized any more: a block is fetched only for what no log
 *   says, that is its time when the node's logs carry no `blockTimestamp`, and the hash of the
 *   run's last block (the checkpoint) when no log is in it.
 *
 * Sorted ascending, no duplicates.
 */
export function headersForRun(
  logs: LogBatch,
  fromBlock: bigint,
  toBlock: bigint,
  headFinal: bigint,
): { numbers: bigint[]; firstUnfinal: bigint } {
  const firstUnfinal = fromBlock > headFinal ? fromBlock : headFinal;
  const numbers: bigint[] = [];
  const describedEnd = endDescribedByLog(logs, toBlock);
  // Final blocks whose time no log carries (one number per run of logs of one block).
  for (let i = 0; i < logs.count; i++) {
    if (i > 0 && logs.sameBlockNumber(i, i - 1)) continue;
    const n = BigInt(logs.blockNumber(i));
    if (n >= firstUnfinal) break;
    if (logs.blockTimestamp(i) === undefined) numbers.push(n);
  }
  if (toBlock < firstUnfinal) {
    if (!describedEnd && numbers[numbers.length - 1] !== toBlock) numbers.push(toBlock);
  } else {
    for (let n = firstUnfinal; n <= toBlock; n++) numbers.push(n);
  }
  return { numbers, firstUnfinal };
}

/** Whether the run's last log is in `toBlock` and says its time (its number and hash it always says). */
export function endDescribedByLog(logs: LogBatch, toBlock: bigint): boolean {
  const last = logs.count - 1;
  return last >= 0 && BigInt(logs.blockNumber(last)) === toBlock && logs.blockTimestamp(last) !== undefined;
}
