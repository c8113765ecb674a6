import type { PoolClient } from "pg";
import { classifyDatabaseError, type DocTelError, sqlState } from "../../shared/errors.ts";
import { ChainMismatchError, LeadershipLostError } from "../errors.ts";
import type { BlockRef } from "../rpc/types.ts";
import type { SequencedBlock } from "../sync/chain-event.ts";
import type { WriteStep } from "./bulk.ts";
import { isoTime } from "./calendar.ts";

export interface Checkpoint {
  /** This process's leader epoch: every write is fenced by it (fenceStep). */
  leaderEpoch: bigint;
  chainId: number;
  contractAddress: string;
  deployBlock: bigint;
  indexedBlock: bigint;
  indexedBlockHash: string;
  finalizedBlock: bigint;
  headBlock: bigint;
  /** The number of the last contract event committed; null: not known. */
  lastEventSeq: number | null;
}

/** What the checkpoint is created for, on first start. */
export interface CheckpointTarget {
  chainId: number;
  contractAddress: string;
  deployBlock: bigint;
  /** The contract's event count before deployBlock (0 from the deployment; null: not known). */
  startEventSeq: number | null;
}

/**
 * Who leads: the epoch this process writes under, the session holding the leader lock (its
 * backend pid) and the lock's keys. Every transaction that writes the read model checks it first.
 */
export interface Fence {
  epoch: bigint;
  lockPid: number;
  lockKey: readonly [number, number];
}

/** What the store needs to know of a leader to open the checkpoint for it. */
export interface Leader {
  /** host:pid, shown in indexer_state.leader_name. */
  name: string;
  lockPid: number;
  lockKey: readonly [number, number];
}

/** SQLSTATE raised by indexer_fence() (migration 20261208110000) when the caller no longer leads. */
export const FENCE_SQLSTATE = "DT001";

/**
 * The indexer's checkpoint, created on first start at the block before the deployment. A
 * database that already follows another chain or contract is refused. Opening it moves the
 * leader epoch on: from then on, writes of earlier leaders (another process, or this one before
 * a restart) fail their fence; a write of theirs still running commits first (the row lock).
 */
export async function initCheckpoint(
  client: PoolClient,
  target: CheckpointTarget,
  leader: Leader,
): Promise<Checkpoint> {
  const address = target.contractAddress.toLowerCase();
  const start = target.deployBlock > 0n ? target.deployBlock - 1n : 0n;
  await client.query(
    `INSERT INTO indexer_state (id, chain_id, contract_address, deploy_block, indexed_block, indexed_block_hash, finalized_block, head_block, last_event_seq)
     VALUES (1, $1, $2, $3, $4, '', $4, $4, $5) ON CONFLICT (id) DO NOTHING`,
    [target.chainId, address, target.deployBlock.toString(), start.toString(), target.startEventSeq],
  );
  await client.query(
    "UPDATE indexer_state SET leader_epoch = leader_epoch + 1, leader_name = $1, leader_since = now() WHERE id = 1",
    [leader.name],
  );
  const cp = await readCheckpoint(client);
  if (!cp) throw new Error("indexer_state row missing right after insert");
  if (cp.chainId !== target.chainId || cp.contractAddress !== address) {
    throw new ChainMismatchError(
      `the database indexes chain ${cp.chainId} contract ${cp.contractAddress}, but the configuration says chain ${target.chainId} contract ${address}; use another database`,
    );
  }
  return cp;
}

export async function readCheckpoint(client: Pick<PoolClient, "query">): Promise<Checkpoint | null> {
  const { rows } = await client.query(
    `SELECT chain_id, contract_address, deploy_block::text, indexed_block::text, indexed_block_hash,
            finalized_block::text, head_block::text, leader_epoch::text, last_event_seq::text
     FROM indexer_state WHERE id = 1`,
  );
  const r = rows[0];
  if (!r) return null;
  return {
    leaderEpoch: BigInt(r.leader_epoch),
    chainId: r.chain_id,
    contractAddress: r.contract_address,
    deployBlock: BigInt(r.deploy_block),
    indexedBlock: BigInt(r.indexed_block),
    indexedBlockHash: r.indexed_block_hash,
    finalizedBlock: BigInt(r.finalized_block),
    headBlock: BigInt(r.head_block),
    lastEventSeq: r.last_event_seq === null ? null : Number(r.last_event_seq),
  };
}

export async function readWindow(client: PoolClient): Promise<SequencedBlock[]> {
  const { rows } = await client.query(
    `SELECT number::text, hash, parent_hash, extract(epoch from timestamp)::float8 AS ts, event_seq::text
     FROM chain_block c ORDER BY c.number`,
  );
  return rows.map((r) => ({
    number: BigInt(r.number),
    hash: r.hash,
    parentHash: r.parent_hash,
    timestamp: Number(r.ts),
    lastEventSeq: r.event_seq === null ? null : Number(r.event_seq),
  }));
}

/** Keeps the headers of unfinalized blocks, for reorg detection after a restart. */
export function saveBlocksStep(blocks: readonly SequencedBlock[]): WriteStep | null {
  if (blocks.length === 0) return null;
  return {
    kind: "query",
    label: "checkpoint",
    text: `INSERT INTO chain_block (number, hash, parent_hash, timestamp, event_seq)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::bigint[])
     ON CONFLICT (number) DO UPDATE SET hash = EXCLUDED.hash, parent_hash = EXCLUDED.parent_hash, timestamp = EXCLUDED.timestamp, event_seq = EXCLUDED.event_seq`,
    values: [
      blocks.map((b) => b.number.toString()),
      blocks.map((b) => b.hash),
      blocks.map((b) => b.parentHash),
      blocks.map((b) => isoTime(b.timestamp)),
      blocks.map((b) => b.lastEventSeq ?? null),
    ],
  };
}

/** Moves the checkpoint to `to`, with the number of the last event at its end. */
export function advanceCheckpointStep(
  to: Pick<BlockRef, "number" | "hash">,
  headBlock: bigint,
  lastEventSeq: number | null,
): WriteStep {
  return {
    kind: "query",
    label: "checkpoint",
    text: `UPDATE indexer_state SET indexed_block = $1, indexed_block_hash = $2, head_block = GREATEST(head_block, $3), last_event_seq = $4, updated_at = now() WHERE id = 1`,
    values: [to.number.toString(), to.hash, headBlock.toString(), lastEventSeq],
  };
}

/** Blocks up to `block` are final: recorded; their headers and undo images no longer kept. */
export function markFinalizedSteps(block: bigint): WriteStep[] {
  return [
    {
      kind: "query",
      label: "checkpoint",
      text: "UPDATE indexer_state SET finalized_block = GREATEST(finalized_block, $1) WHERE id = 1",
      values: [block.toString()],
    },
    {
      kind: "query",
      label: "checkpoint",
      text: "DELETE FROM chain_block WHERE number < $1",
      values: [block.toString()],
    },
    {
      kind: "query",
      label: "checkpoint",
      text: "DELETE FROM undo_log WHERE block_number <= $1",
      values: [block.toString()],
    },
  ];
}

/**
 * The first step of every transaction that writes the read model: raises FENCE_SQLSTATE unless
 * `fence` is still the leader's (its epoch current, its lock's session alive). It also locks the
 * checkpoint row, so no other leader's epoch bump interleaves with the transaction.
 */
export function fenceStep(fence: Fence): WriteStep {
  return {
    kind: "query",
    label: "checkpoint",
    text: "SELECT indexer_fence($1, $2, $3, $4)",
    values: [fence.epoch.toString(), fence.lockPid, fence.lockKey[0], fence.lockKey[1]],
  };
}

/** A write's failure, classified: a failed fence is LeadershipLostError, the rest by SQLSTATE. */
export function classifyWriteError(error: unknown, what: string): DocTelError {
  if (sqlState(error) === FENCE_SQLSTATE) {
    return new LeadershipLostError(`${what}: ${(error as Error).message}`, { cause: error });
  }
  return classifyDatabaseError(error, what);
}
