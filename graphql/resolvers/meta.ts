import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import type { DeploymentRecord } from "../../shared/deployment.ts";
import { getDistrict, getState } from "../../shared/reference/regions.ts";
import { SPECIALTIES } from "../../shared/reference/specialties.ts";
import type { ApiContext } from "../context.ts";
import type { Queryable } from "../data/sql.ts";

export const stateRegion = (code: number) => ({ code, name: getState(code)?.name ?? null });
export const districtRegion = (code: number) => ({ code, name: getDistrict(code)?.name ?? null });

/** indexer_state for this deployment, or nulls before the indexer has started. */
export async function indexingStatus(pool: Queryable, deployment: DeploymentRecord) {
  const { rows } = await pool.query<{
    chain_id: number;
    contract_address: string;
    deploy_block: string;
    indexed_block: string;
    indexed_block_hash: string;
    finalized_block: string;
    head_block: string;
    updated_at: Date;
  }>(
    `SELECT chain_id, contract_address, deploy_block::text, indexed_block::text, indexed_block_hash,
            finalized_block::text, head_block::text, updated_at
       FROM indexer_state WHERE chain_id = $1 AND lower(contract_address) = $2 LIMIT 1`,
    [deployment.chainId, deployment.address.toLowerCase()],
  );
  const row = rows[0];
  if (!row) {
    return {
      chainId: deployment.chainId,
      contractAddress: deployment.address,
      deployBlock: String(deployment.deployBlock),
      indexedBlock: null,
      indexedBlockHash: null,
      headBlock: null,
      finalizedBlock: null,
      lagBlocks: null,
      updatedAt: null,
      started: false,
    };
  }
  return {
    chainId: row.chain_id,
    contractAddress: row.contract_address,
    deployBlock: row.deploy_block,
    indexedBlock: row.indexed_block,
    indexedBlockHash: row.indexed_block_hash,
    headBlock: row.head_block,
    finalizedBlock: row.finalized_block,
    lagBlocks: String(BigInt(row.head_block) - BigInt(row.indexed_block)),
    updatedAt: row.updated_at,
    started: true,
  };
}

export function createMetaResolvers(deployment: DeploymentRecord) {
  return {
    Query: {
      ping: () => "pong",
      deployment: () => ({
        chainId: deployment.chainId,
        contractAddress: deployment.address,
        deployBlock: String(deployment.deployBlock),
        deployTxHash: deployment.deployTxHash,
        deployedAt: new Date(deployment.deployedAt),
        referenceKeyId: deployment.referenceKeyId,
        abi: docTelAbi,
      }),
      indexingStatus: (_: unknown, __: unknown, ctx: ApiContext) => indexingStatus(ctx.readPool, deployment),
      specialties: () => SPECIALTIES,
    },
  };
}
