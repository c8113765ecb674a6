/**
 * `node indexer/main.ts` (or `doctel index`): applies pending migrations (as the database's
 * owner; as the `indexer` login, which may not change the schema, it checks that none is pending),
 * then follows the chain (leading, or standing by while another indexer process leads) and
 * verifies attached files until SIGINT/SIGTERM. Exits 2 on a configuration that cannot work (bad
 * variable, port in use, wrong chain or contract, start block beyond the head), 1 on any other
 * failure that cannot be retried.
 */
import { applyMigrations } from "../prisma/migrate.ts";
import { createPgPool } from "../shared/db/pool.ts";
import { readDeployment } from "../shared/deployment.ts";
import type { Logger } from "../shared/logger.ts";
import { redactUrl } from "../shared/redact.ts";
import { type IndexerConfig, indexerConfigSchema } from "./config.ts";
import { createIndexer, type Indexer, type IndexerTarget } from "./indexer.ts";
import { createHealth } from "./ops/health.ts";
import { createIndexerMetrics, type IndexerMetrics } from "./ops/metrics.ts";
import { startOpsServer } from "./ops/server.ts";
import { runService } from "./ops/service.ts";
import { toVerifierSettings } from "./verify/config.ts";
import { createVerificationWorker } from "./verify/worker.ts";

export async function resolveTarget(config: IndexerConfig): Promise<IndexerTarget> {
  if (config.CONTRACT_ADDRESS !== undefined && config.CHAIN_ID !== undefined) {
    return {
      chainId: config.CHAIN_ID,
      contractAddress: config.CONTRACT_ADDRESS,
      deployBlock: BigInt(config.START_BLOCK ?? 0),
    };
  }
  const d = await readDeployment(config.DEPLOYMENT_FILE);
  return {
    chainId: d.chainId,
    contractAddress: d.address,
    deployBlock: BigInt(config.START_BLOCK ?? d.deployBlock),
  };
}

export function indexerSettings(config: IndexerConfig) {
  return {
    rpcUrl: config.RPC_URL,
    rpcWsUrl: config.RPC_WS_URL,
    rpcTimeoutMs: config.RPC_TIMEOUT_MS,
    rpcMaxResponseBytes: config.RPC_MAX_RESPONSE_BYTES,
    retry: {
      retries: config.RPC_RETRIES,
      baseDelayMs: config.RPC_RETRY_BASE_MS,
      maxDelayMs: config.RPC_RETRY_MAX_MS,
    },
    confirmations: config.CONFIRMATIONS,
    finalityDepth: config.FINALITY_DEPTH,
    pollIntervalMs: config.POLL_INTERVAL_MS,
    getLogs: {
      initial: config.GETLOGS_INITIAL_RANGE,
      min: 1,
      max: config.GETLOGS_MAX_RANGE,
      targetLogs: config.GETLOGS_TARGET_LOGS,
    },
    headerBatchSize: config.HEADER_BATCH_SIZE,
    prefetchDepth: config.PREFETCH_DEPTH,
    stateCacheEntries: config.STATE_CACHE_ENTRIES,
    readyLagBlocks: config.READY_LAG_BLOCKS,
    readyLagMs: config.READY_LAG_MS,
    restartMaxDelayMs: config.RESTART_MAX_DELAY_MS,
  };
}

export async function runIndexer(config: IndexerConfig, logger: Logger, signal: AbortSignal): Promise<void> {
  const target = await resolveTarget(config);
  const metrics = createIndexerMetrics({ defaultMetrics: true });
  const health = createHealth({ lagBlocks: config.READY_LAG_BLOCKS, lagMs: config.READY_LAG_MS });
  const pool = createPgPool({
    connectionString: config.DATABASE_URL,
    max: config.DB_POOL_SIZE,
    name: "indexer",
    logger,
    onError: () => metrics.poolErrorsTotal.inc({ pool: "indexer" }),
  });
  let indexer: Indexer | null = null;
  // First, so a port in use fails the start at once; red until the database is migrated.
  health.fail("applying database migrations");
  const ops = await startOpsServer({
    host: config.OPS_HOST,
    port: config.OPS_PORT,
    pool,
    metrics,
    logger,
    isReady: () => health.view().ready,
    isHealthy: () => health.view().healthy,
    status: () => indexer?.status() ?? { role: "starting", reason: health.view().reason },
  }).catch(async (error: unknown) => {
    await pool.end();
    throw error;
  });
  let verifier: Awaited<ReturnType<typeof startVerifier>> | null = null;
  try {
    logger.info({ database_url: redactUrl(config.DATABASE_URL) }, "applying database migrations");
    await applyMigrations({ databaseUrl: config.DATABASE_URL, logger });
    health.recovered();
    indexer = createIndexer({ target, settings: indexerSettings(config), pool, logger, metrics, health });
    verifier = config.VERIFY_ENABLED ? await startVerifier(config, logger, metrics) : null;
    await indexer.run(signal);
  } finally {
    await ops.close();
    await verifier?.stop();
    await pool.end();
  }
}

/** The verification worker, on a pool of its own so it never competes with indexing. */
async function startVerifier(config: IndexerConfig, logger: Logger, metrics: IndexerMetrics) {
  const pool = createPgPool({
    connectionString: config.DATABASE_URL,
    max: Math.max(2, config.VERIFY_DB_POOL_SIZE),
    name: "verifier",
    logger,
    onError: () => metrics.poolErrorsTotal.inc({ pool: "verifier" }),
  });
  const worker = createVerificationWorker({
    pool,
    ipfsUrl: config.IPFS_API_URL,
    config: toVerifierSettings(config),
    logger: logger.child({ component: "verifier" }),
    metrics: metrics.registry,
  });
  await worker.start();
  logger.info(
    { ipfs_api_url: redactUrl(config.IPFS_API_URL), concurrency: config.VERIFY_CONCURRENCY },
    "file verification started",
  );
  return {
    async stop() {
      await worker.stop();
      await pool.end();
    },
  };
}

if (import.meta.main) await runService({ name: "indexer", schema: indexerConfigSchema, run: runIndexer });
