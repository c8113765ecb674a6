/**
 * Runs the indexer in-process against a test chain and database, and compares indexed
 * databases row by row (the oracle of the reorg and crash tests: the result must equal a clean
 * index of the same final chain).
 */
import type pg from "pg";
import { createIndexer, type Indexer, type IndexerSettings } from "../../indexer/indexer.ts";
import { createIndexerMetrics, type IndexerMetrics } from "../../indexer/ops/metrics.ts";
import { createSilentLogger, type Logger } from "../../shared/logger.ts";

export const TEST_INDEXER_SETTINGS: IndexerSettings = {
  rpcUrl: "",
  rpcTimeoutMs: 5_000,
  rpcMaxResponseBytes: 64 * 1024 * 1024,
  retry: { retries: 6, baseDelayMs: 20, maxDelayMs: 300 },
  confirmations: 0,
  finalityDepth: 64,
  pollIntervalMs: 50,
  getLogs: { initial: 50, min: 1, max: 5_000, targetLogs: 2_000 },
  headerBatchSize: 50,
  prefetchDepth: 2,
  stateCacheEntries: 200_000,
  readyLagBlocks: 0,
  readyLagMs: 0,
  restartMaxDelayMs: 300,
};

export interface RunningIndexer {
  indexer: Indexer;
  metrics: IndexerMetrics;
  /** Resolves once the checkpoint reaches `block` (the chain head by default). */
  waitFor(block: bigint): Promise<void>;
  /** Stops the indexer; rethrows what made it stop, if anything. */
  stop(): Promise<void>;
  /** The error the indexer stopped with, if it stopped by itself. */
  readonly failure: Promise<unknown>;
}

export function startIndexer(args: {
  pool: pg.Pool;
  rpcUrl: string;
  address: `0x${string}`;
  deployBlock: bigint;
  chainId?: number;
  settings?: Partial<IndexerSettings>;
  logger?: Logger;
}): RunningIndexer {
  const metrics = createIndexerMetrics();
  const indexer = createIndexer({
    target: { chainId: args.chainId ?? 31337, contractAddress: args.address, deployBlock: args.deployBlock },
    settings: { ...TEST_INDEXER_SETTINGS, rpcUrl: args.rpcUrl, ...args.settings },
    pool: args.pool,
    logger: args.logger ?? createSilentLogger(),
    metrics,
  });
  const controller = new AbortController();
  let stoppedWith: unknown;
  let stopped = false;
  const running = indexer.run(controller.signal).then(
    () => {
      stopped = true;
    },
    (error) => {
      stopped = true;
      stoppedWith = error;
    },
  );
  return {
    indexer,
    metrics,
    failure: running.then(() => stoppedWith),
    async waitFor(block) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (stopped) throw stoppedWith ?? new Error("the indexer stopped before reaching the block");
        const { rows } = await args.pool.query<{ b: string }>(
          "SELECT indexed_block::text AS b FROM indexer_state",
        );
        if (rows[0] && BigInt(rows[0].b) >= block) return;
        if (Date.now() > deadline) throw new Error(`indexer did not reach block ${block} within 60 s`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      controller.abort();
      await running;
      if (stoppedWith) throw stoppedWith;
    },
  };
}

/** The chain head of a node. */
export async function headOf(rpcUrl: string): Promise<bigint> {
  const res = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
  });
  return BigInt(((await res.json()) as { result: string }).result);
}

/**
 * Every row the indexer derives, in a deterministic order, without bookkeeping columns that
 * legitimately differ between runs (wall-clock times of the indexer and the verifier).
 */
export async function dumpIndex(pool: pg.Pool): Promise<Record<string, unknown[]>> {
  const tables: Record<string, string> = {
    hospital: "SELECT * FROM hospital ORDER BY id",
    member: "SELECT * FROM member ORDER BY account",
    role_grant: "SELECT * FROM role_grant ORDER BY account, role_id",
    access_history: "SELECT * FROM access_history ORDER BY block_number, log_index",
    patient: "SELECT * FROM patient ORDER BY ref",
    patient_history: "SELECT * FROM patient_history ORDER BY block_number, log_index",
    treatment: "SELECT * FROM treatment ORDER BY id",
    treatment_doctor: "SELECT * FROM treatment_doctor ORDER BY treatment_id, doctor",
    attachment: "SELECT * FROM attachment ORDER BY block_number, log_index",
    file_verification: "SELECT cid FROM file_verification ORDER BY cid",
    vital: "SELECT * FROM vital ORDER BY block_number, log_index",
    event_log: "SELECT * FROM event_log ORDER BY block_number, log_index",
    event_block: "SELECT * FROM event_block ORDER BY number",
    case_count_daily:
      "SELECT * FROM case_count_daily ORDER BY day, diagnosis, state_code, district_code, age_band, sex, hospital_id",
    case_trend_weekly:
      "SELECT * FROM case_trend_weekly ORDER BY system, diagnosis_category, state_code, district_code, week_start",
    checkpoint: "SELECT chain_id, contract_address, indexed_block, indexed_block_hash FROM indexer_state",
  };
  const out: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(tables)) out[name] = (await pool.query(sql)).rows;
  return out;
}

/** Every table the indexer writes, emptied (a database made ready for a fresh index). */
export async function clearIndex(pool: pg.Pool): Promise<void> {
  await pool.query(
    "TRUNCATE indexer_state, chain_block, event_block, event_record, hospital, member, role_grant, access_history, patient, patient_history, treatment, treatment_doctor, attachment, file_verification, vital, case_count_daily, case_trend_weekly CASCADE",
  );
}

/** Indexes the chain from scratch into `pool` (emptied first) up to its head; returns the dump. */
export async function cleanIndex(args: {
  pool: pg.Pool;
  rpcUrl: string;
  address: `0x${string}`;
  deployBlock: bigint;
}): Promise<Record<string, unknown[]>> {
  await clearIndex(args.pool);
  const fresh = startIndexer(args);
  await fresh.waitFor(await headOf(args.rpcUrl));
  await fresh.stop();
  return dumpIndex(args.pool);
}
