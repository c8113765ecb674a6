import type { PoolClient } from "pg";
import { ChainMismatchError } from "../errors.ts";
import type { BlockRef } from "../rpc/types.ts";
import type { WriteStep } from "./bulk.ts";
import { isoTime } from "./calendar.ts";

export interface Checkpoint {
  chainId: number;
  contractAddress: string;
  deployBlock: bigint;
  indexedBlock: bigint;
  indexedBlockHash: string;
  finalizedBlock: bigint;
  headBlock: bigint;
}

/**
 * The indexer's checkpoint, created on first start at the block before the deployment. A
 * database that already follows another chain or contract is refused.
 */
export async function initCheckpoint(
  client: PoolClient,
  target: { chainId: number; contractAddress: string; deployBlock: bigint },
): Promise<Checkpoint> {
  const address = target.contractAddress.toLowerCase();
  const start = target.deployBlock > 0n ? target.deployBlock - 1n : 0n;
  await client.query(
    `INSERT INTO indexer_state (id, chain_id, contract_address, deploy_block, indexed_block, indexed_block_hash, finalized_block, head_block)
     VALUES (1, $1, $2, $3, $4, '', $4, $4) ON CONFLICT (id) DO NOTHING`,
    [target.chainId, address, target.deployBlock.toString(), start.toString()],
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
            finalized_block::text, head_block::text FROM indexer_state WHERE id = 1`,
  );
  const r = rows[0];
  if (!r) return null;
  return {
    chainId: r.chain_id,
    contractAddress: r.contract_address,
    deployBlock: BigInt(r.deploy_block),
    indexedBlock: BigInt(r.indexed_block),
    indexedBlockHash: r.indexed_block_hash,
    finalizedBlock: BigInt(r.finalized_block),
    headBlock: BigInt(r.head_block),
  };
}

export async function readWindow(client: PoolClient): Promise<BlockRef[]> {
  const { rows } = await client.query(
    `SELECT number::text, hash, parent_hash, extract(epoch from timestamp)::float8 AS ts FROM chain_block c ORDER BY c.number`,
  );
  return rows.map((r) => ({
    number: BigInt(r.number),
    hash: r.hash,
    parentHash: r.parent_hash,
    timestamp: Number(r.ts),
  }));
}

/** Keeps the headers of unfinalized blocks, for reorg detection after a restart. */
export function saveBlocksStep(blocks: readonly BlockRef[]): WriteStep | null {
  if (blocks.length === 0) return null;
  return {
    kind: "query",
    label: "checkpoint",
    text: `INSERT INTO chain_block (number, hash, parent_hash, timestamp)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[])
     ON CONFLICT (number) DO UPDATE SET hash = EXCLUDED.hash, parent_hash = EXCLUDED.parent_hash, timestamp = EXCLUDED.timestamp`,
    values: [
      blocks.map((b) => b.number.toString()),
      blocks.map((b) => b.hash),
      blocks.map((b) => b.parentHash),
      blocks.map((b) => isoTime(b.timestamp)),
    ],
  };
}

export function advanceCheckpointStep(to: BlockRef, headBlock: bigint): WriteStep {
  return {
    kind: "query",
    label: "checkpoint",
    text: `UPDATE indexer_state SET indexed_block = $1, indexed_block_hash = $2, head_block = GREATEST(head_block, $3), updated_at = now() WHERE id = 1`,
    values: [to.number.toString(), to.hash, headBlock.toString()],
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
