/**
 * `npm run verifier` (`node indexer/verify/main.ts`): verifies attached files against IPFS, in a
 * process of its own, with VERIFY_WORKERS workers (each VERIFY_CONCURRENCY files at a time), until
 * SIGINT/SIGTERM. Any number of these processes, and indexers with VERIFY_ENABLED, share the
 * queue; a killed one's claims are taken over at once (instance.ts). It migrates nothing: the
 * database's owner (compose's `migrate`) or the indexer does; it logs in as the indexer's login
 * (file_verification is chain-derived). Exits 2 on a configuration that cannot work.
 */

import { Counter, collectDefaultMetrics, Registry } from "prom-client";
import { createPgPool } from "../../shared/db/pool.ts";
import type { Logger } from "../../shared/logger.ts";
import { redactUrl } from "../../shared/redact.ts";
import { startOpsServer } from "../ops/server.ts";
import { runService } from "../ops/service.ts";
import { toVerifierSettings, type VerifierProcessConfig, verifierProcessConfigSchema } from "./config.ts";
import { createVerificationWorker } from "./worker.ts";

export async function runVerifier(
  config: VerifierProcessConfig,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "doctel_verifier_" });
  const poolErrors = new Counter({
    name: "doctel_verifier_pool_errors_total",
    help: "Idle database connections that failed",
    registers: [registry],
  });
  const pool = createPgPool({
    connectionString: config.DATABASE_URL,
    // Each worker keeps one connection on LISTEN; the rest claim and write results.
    max: config.VERIFY_DB_POOL_SIZE + config.VERIFY_WORKERS,
    name: "verifier",
    logger,
    onError: () => poolErrors.inc(),
  });
  const settings = toVerifierSettings(config);
  const workers = Array.from({ length: config.VERIFY_WORKERS }, (_, i) =>
    createVerificationWorker({
      pool,
      ipfsUrl: config.IPFS_API_URL,
      config: settings,
      logger: logger.child({ worker: i }),
      metrics: registry,
    }),
  );
  const ops = await startOpsServer({
    host: config.OPS_HOST,
    port: config.OPS_PORT,
    pool,
    metrics: { registry },
    logger,
    service: "verifier",
    // Ready while every worker can claim (its instance is registered and its lock held);
    // healthy while no database failure is being retried.
    isReady: () => workers.every((w) => w.instanceId() !== null && w.failure() === null),
    isHealthy: () => workers.every((w) => w.failure() === null),
    status: () => ({
      workers: workers.map((w) => ({ instance: w.instanceId(), failure: w.failure(), ...w.stats() })),
    }),
  }).catch(async (error: unknown) => {
    await pool.end();
    throw error;
  });
  try {
    for (const worker of workers) await worker.start();
    logger.info(
      {
        ipfs_api_url: redactUrl(config.IPFS_API_URL),
        workers: config.VERIFY_WORKERS,
        concurrency: config.VERIFY_CONCURRENCY,
      },
      "file verification started",
    );
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await ops.close();
    await pool.end();
  }
}

if (import.meta.main)
  await runService({ name: "verifier", schema: verifierProcessConfigSchema, run: runVerifier });
