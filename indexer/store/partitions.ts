/**
 * Partitions ahead of the indexer. The tables that grow with every event (vital, event_record)
 * are partitioned by block range (migration 20261208100100_storage); a row whose block has no
 * partition yet cannot be written. Before a batch, the store makes sure every partitioned table
 * has partitions up to the batch's last block plus a margin, creating the next ones when the
 * indexer gets within that margin of the highest (ensure_block_partitions, in SQL). Which tables
 * are partitioned is read from the database's catalog: the migrations decide it.
 *
 * Creating partitions writes the database, so the store runs it as any of its writes: in a
 * transaction whose first statement is the leader's fence (checkpoint.ts fenceStep); a process
 * that no longer leads creates none.
 */
import type { PoolClient } from "pg";

/**
 * Blocks per partition: about 140 days of 12-second blocks. Queries of one treatment or patient
 * cannot be pruned by block (they look up every partition's index from the treatment's opening
 * on), so partitions are few and large; a reorg touches only the last one.
 */
export const BLOCKS_PER_PARTITION = 1_000_000;

export interface Partitions {
  /** Ensures partitions cover blocks `from` to `to` (and a margin beyond). */
  ensure(from: bigint, to: bigint): Promise<void>;
  /** Forgets what it knew (the database may have changed without us). */
  reset(): void;
}

/** Runs `fn` in a transaction (the store's starts with the fence); `(fn) => fn(client)` runs it on a client as is. */
export type PartitionTransaction = <T>(fn: (db: Pick<PoolClient, "query">) => Promise<T>) => Promise<T>;

export function createPartitions(
  transaction: PartitionTransaction,
  blocksPerPartition = BLOCKS_PER_PARTITION,
): Partitions {
  const size = BigInt(blocksPerPartition);
  // Partitions are created when the indexer gets within this many blocks of the last one.
  const margin = size / 2n > 0n ? size / 2n : 1n;
  let tables: string[] | null = null;
  /** Every partitioned table has partitions below this block. */
  let coveredTo = -1n;

  return {
    async ensure(from, to) {
      if (to + margin < coveredTo) return;
      coveredTo = await transaction(async (db) => {
        tables ??= (
          await db.query<{ name: string }>(
            `SELECT c.relname AS name FROM pg_partitioned_table p
               JOIN pg_class c ON c.oid = p.partrelid
              WHERE c.relnamespace = current_schema()::regnamespace ORDER BY 1`,
          )
        ).rows.map((r) => r.name);
        let covered: bigint | null = null;
        for (const table of tables) {
          const { rows } = await db.query<{ upto: string }>(
            "SELECT ensure_block_partitions($1::regclass, $2, $3, $4)::text AS upto",
            [table, from.toString(), (to + margin).toString(), size.toString()],
          );
          const upto = BigInt(rows[0]!.upto);
          covered = covered === null || upto < covered ? upto : covered;
        }
        return covered ?? to + margin + size;
      });
    },
    reset() {
      coveredTo = -1n;
    },
  };
}
