/** The JSON-RPC shapes the indexer reads, exactly as nodes send them (hex quantities). */
export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  /** Newer nodes (Hardhat 3, reth, geth ≥ 1.14) include it; otherwise headers are fetched. */
  blockTimestamp?: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  removed?: boolean;
}

export interface RpcBlockHeader {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
}

/** A block as the indexer tracks it: enough to detect reorgs by hash. */
export interface BlockRef {
  number: bigint;
  hash: `0x${string}`;
  parentHash: `0x${string}`;
  timestamp: number;
}

export function toBlockRef(header: RpcBlockHeader): BlockRef {
  return {
    number: BigInt(header.number),
    hash: header.hash.toLowerCase() as `0x${string}`,
    parentHash: header.parentHash.toLowerCase() as `0x${string}`,
    timestamp: Number(header.timestamp),
  };
}
