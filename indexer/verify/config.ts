/**
 * The verifier's settings, as a fragment of the indexer's environment schema:
 *   const schema = z.object({ ...indexerFields, ...verifyFields });
 *   const config = parseConfig(schema, process.env);
 *   createVerificationWorker({ ..., config: toVerifierSettings(config) });
 */
import { z } from "zod";
import { booleanFlag, logFields, port, positiveInt, url } from "../../shared/config.ts";
import type { BackoffPolicy } from "./backoff.ts";

const MiB = 1024 * 1024;

export const verifyFields = {
  /** Files verified at once by one worker. */
  VERIFY_CONCURRENCY: positiveInt.default(16),
  /** Most rows taken from the queue in one claim. */
  VERIFY_BATCH_SIZE: positiveInt.default(32),
  /** Blocks of one file fetched ahead of the one being checked. */
  VERIFY_PARALLEL_BLOCKS: positiveInt.default(8),
  /** Largest accepted file; larger ones are INVALID ("file exceeds N bytes"). */
  VERIFY_MAX_BYTES: positiveInt.default(100 * MiB),
  /** Longest wait for one block before the file is UNAVAILABLE for this attempt. */
  VERIFY_TIMEOUT_MS: positiveInt.default(30_000),
  /** Longest time for one whole file before it is UNAVAILABLE for this attempt. */
  VERIFY_DEADLINE_MS: positiveInt.default(600_000),
  /** Attempts before an UNAVAILABLE file is left for an operator (`requeue`); with the default
   * backoff (1 min doubling, capped at 6 h) retries span about a day. */
  VERIFY_MAX_ATTEMPTS: positiveInt.default(12),
  /** Backoff after the first UNAVAILABLE attempt; doubled (VERIFY_BACKOFF_FACTOR) each time. */
  VERIFY_BACKOFF_BASE_MS: positiveInt.default(60_000),
  VERIFY_BACKOFF_MAX_MS: positiveInt.default(6 * 3600_000),
  VERIFY_BACKOFF_FACTOR: z.coerce.number().min(1).default(2),
  /** Fraction of each backoff removed at random, so retries spread out. */
  VERIFY_BACKOFF_JITTER: z.coerce.number().min(0).max(1).default(0.2),
  /** How long a claimed row stays invisible to other workers; default: the deadline plus a minute. */
  VERIFY_LEASE_MS: positiveInt.optional(),
  /** Stream multi-block files with one `dag/export` (CAR) instead of one `block/get` per block;
   * every block is still hashed and the DAG walked from the root. */
  VERIFY_CAR_EXPORT: booleanFlag.default(true),
  /** Polling interval when no NOTIFY arrives. */
  VERIFY_POLL_INTERVAL_MS: positiveInt.default(2_000),
};

export const verifyConfigSchema = z.object(verifyFields);

/**
 * `npm run verifier` (indexer/verify/main.ts): verification alone, in a process of its own. Run
 * as many as needed against one database; they share the queue.
 */
export const verifierProcessConfigSchema = z.object({
  ...logFields,
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "expected a postgresql:// URL"),
  IPFS_API_URL: url.default("http://127.0.0.1:5001"),
  /** Workers in this process, each with VERIFY_CONCURRENCY files at a time and an instance of its own. */
  VERIFY_WORKERS: positiveInt.default(1),
  /** Connections for claims and results, beside one per worker for its LISTEN and one for its lock. */
  VERIFY_DB_POOL_SIZE: positiveInt.default(4),
  OPS_HOST: z.string().default("127.0.0.1"),
  OPS_PORT: port.default(9465),
  ...verifyFields,
});

export type VerifierProcessConfig = z.output<typeof verifierProcessConfigSchema>;

export type VerifyConfig = z.output<typeof verifyConfigSchema>;

/** What the worker needs, in its own terms. */
export interface VerifierSettings {
  concurrency: number;
  batchSize: number;
  parallelBlocks: number;
  maxBytes: number;
  timeoutMs: number;
  deadlineMs: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  leaseMs: number;
  pollIntervalMs: number;
  /** Multi-block files come through one CAR export (see car-block-source.ts). */
  carExport: boolean;
  /** How long stop() lets in-flight files finish before aborting them (their leases are released). */
  stopGraceMs: number;
}

export function toVerifierSettings(config: VerifyConfig): VerifierSettings {
  return {
    concurrency: config.VERIFY_CONCURRENCY,
    batchSize: config.VERIFY_BATCH_SIZE,
    parallelBlocks: config.VERIFY_PARALLEL_BLOCKS,
    maxBytes: config.VERIFY_MAX_BYTES,
    timeoutMs: config.VERIFY_TIMEOUT_MS,
    deadlineMs: config.VERIFY_DEADLINE_MS,
    maxAttempts: config.VERIFY_MAX_ATTEMPTS,
    backoff: {
      baseMs: config.VERIFY_BACKOFF_BASE_MS,
      maxMs: config.VERIFY_BACKOFF_MAX_MS,
      factor: config.VERIFY_BACKOFF_FACTOR,
      jitter: config.VERIFY_BACKOFF_JITTER,
    },
    leaseMs: config.VERIFY_LEASE_MS ?? config.VERIFY_DEADLINE_MS + 60_000,
    pollIntervalMs: config.VERIFY_POLL_INTERVAL_MS,
    carExport: config.VERIFY_CAR_EXPORT,
    stopGraceMs: 30_000,
  };
}

/** Settings with every default applied (what an empty environment gives). */
export function defaultVerifierSettings(): VerifierSettings {
  return toVerifierSettings(verifyConfigSchema.parse({}));
}
