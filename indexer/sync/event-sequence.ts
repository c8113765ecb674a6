/**
 * Proves a run of logs holds every DocTel event: the contract numbers its events 1, 2, 3, …
 * with no gap (see decode/sequence.ts), so the numbers read must go on exactly from the last one
 * committed. OpenZeppelin's access-control events carry no number: the AccessControlSequenced
 * event right after them takes one and says how many it covers, and they must sit right before
 * it in the same transaction. Anything else is an EventSequenceGapError, which stops the batch
 * before anything after the gap is written (the range is read again from the checkpoint).
 *
 * One pass, one integer compare per numbered event; no log is decoded.
 */
import { dataWord, NUMBERED, numberingOf, UNNUMBERED } from "../decode/sequence.ts";
import { EventSequenceGapError } from "../errors.ts";
import type { LogBatch } from "../rpc/log-batch.ts";

export interface SequenceCheck {
  /** The number of the last event of the run (the previous one when the run has none). */
  last: number | null;
  /** The last number at the end of each block of the run that has numbered events. */
  lastByBlock: Map<number, number>;
  /** Indexes of the logs that go on to be indexed (all but AccessControlSequenced); null: all. */
  kept: Int32Array | null;
}

/**
 * Checks the numbers of `logs` (in chain order) against `previous`, the last number already
 * committed (null: not known, then the first number read is taken as it comes).
 */
export function checkSequence(logs: LogBatch, previous: number | null): SequenceCheck {
  let last = previous;
  const lastByBlock = new Map<number, number>();
  /** Access-control events right before the current log, waiting for their cover. */
  let open = 0;
  let covers: number[] | null = null;
  let block = -1;
  for (let i = 0; i < logs.count; i++) {
    if (i === 0 || !logs.sameBlockNumber(i, i - 1)) {
      if (last !== null && block >= 0) lastByBlock.set(block, last);
      block = logs.blockNumber(i);
    }
    const kind = numberingOf(logs, i);
    if (kind === NUMBERED && open === 0) {
      // The hot path: a DocTel event, nothing pending.
      const seq = dataWord(logs, i, 0);
      if (last === null ? seq < 0 : seq !== last + 1) throw misnumbered(logs, i, last, seq);
      last = seq;
      continue;
    }
    const adjacent = i > 0 && logs.sameTransaction(i, i - 1) && logs.logIndex(i) === logs.logIndex(i - 1) + 1;
    if (kind === UNNUMBERED) {
      if (open > 0 && !adjacent) throw uncovered(logs, i - 1);
      open = open > 0 ? open + 1 : 1;
      continue;
    }
    if (kind === NUMBERED) throw uncovered(logs, i - 1);
    // AccessControlSequenced: its own number, and the count of events right before it.
    const seq = dataWord(logs, i, 0);
    if (last === null ? seq < 0 : seq !== last + 1) throw misnumbered(logs, i, last, seq);
    const count = dataWord(logs, i, 1, 2);
    const found = adjacent ? open : 0;
    if (count !== found) {
      throw new EventSequenceGapError(
        `AccessControlSequenced #${seq} at block ${block} log ${logs.logIndex(i)} numbers ${count} access-control event(s), but ${found} come right before it`,
        { details: { ...position(logs, i), seq, expected_events: count, found_events: found } },
      );
    }
    open = 0;
    covers ??= [];
    covers.push(i);
    last = seq;
  }
  if (open > 0) throw uncovered(logs, logs.count - 1);
  if (last !== null && block >= 0) lastByBlock.set(block, last);
  return { last, lastByBlock, kept: covers ? without(logs.count, covers) : null };
}

/** The last number at the end of block `n`, given the run's numbers by block (ascending walk). */
export function lastNumberAt(
  check: SequenceCheck,
  previous: number | null,
  blocks: readonly bigint[],
): (number | null)[] {
  const out: (number | null)[] = [];
  const byBlock = [...check.lastByBlock].sort((a, b) => a[0] - b[0]);
  let k = 0;
  let current = previous;
  for (const n of blocks) {
    while (k < byBlock.length && BigInt(byBlock[k]![0]) <= n) current = byBlock[k++]![1];
    out.push(current);
  }
  return out;
}

function position(logs: LogBatch, i: number) {
  return {
    block_number: logs.blockNumberHex(i),
    log_index: logs.logIndex(i),
    tx_hash: logs.transactionHash(i),
  };
}

function misnumbered(logs: LogBatch, i: number, last: number | null, got: number): EventSequenceGapError {
  if (got < 0 || last === null) return unreadable(logs, i);
  const expected = last + 1;
  const where = `block ${logs.blockNumber(i)} log ${logs.logIndex(i)}`;
  return new EventSequenceGapError(
    got > expected
      ? `event sequence gap: expected event #${expected}, the node sent #${got} at ${where}: ${got - expected} event(s) missing`
      : `event sequence out of order: expected event #${expected}, the node sent #${got} again at ${where}`,
    { details: { ...position(logs, i), expected_seq: expected, seq: got } },
  );
}

function unreadable(logs: LogBatch, i: number): EventSequenceGapError {
  return new EventSequenceGapError(
    `the log at block ${logs.blockNumber(i)} log ${logs.logIndex(i)} carries no readable event number`,
    { details: position(logs, i) },
  );
}

function uncovered(logs: LogBatch, i: number): EventSequenceGapError {
  return new EventSequenceGapError(
    `the access-control event at block ${logs.blockNumber(i)} log ${logs.logIndex(i)} has no AccessControlSequenced right after it: its number is missing`,
    { details: position(logs, i) },
  );
}

function without(count: number, skipped: readonly number[]): Int32Array {
  const kept = new Int32Array(count - skipped.length);
  let s = 0;
  let k = 0;
  for (let i = 0; i < count; i++) {
    if (s < skipped.length && skipped[s] === i) s++;
    else kept[k++] = i;
  }
  return kept;
}
