/**
 * The indexer's configuration, parsed once at start from the environment. Every variable is
 * documented in .env.example.
 */
import { z } from "zod";
import { address, booleanFlag, logFields, nonNegativeInt, port, positiveInt, url } from "../shared/config.ts";
import { verifyFields } from "./verify/config.ts";

export const indexerConfigSchema = z
  .object({
    ...logFields,
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "expected a postgresql:// URL"),
    DB_POOL_SIZE: positiveInt.default(8),
    RPC_URL: url.default("http://127.0.0.1:8545"),
    /** WebSocket endpoint for newHeads notifications (lower live latency); polling without it. */
    RPC_WS_URL: z
      .string()
      .regex(/^wss?:\/\//, "expected a ws:// or wss:// URL")
      .optional(),
    RPC_TIMEOUT_MS: positiveInt.default(15_000),
    RPC_MAX_RESPONSE_BYTES: positiveInt.default(32 * 1024 * 1024),
    RPC_RETRIES: nonNegativeInt.default(8),
    RPC_RETRY_BASE_MS: positiveInt.default(250),
    RPC_RETRY_MAX_MS: positiveInt.default(30_000),
    /** Where the contract is: a deployment record, or the three variables below. */
    DEPLOYMENT_FILE: z.string().default(".doctel/deployment.json"),
    CHAIN_ID: positiveInt.optional(),
    CONTRACT_ADDRESS: address.optional(),
    START_BLOCK: nonNegativeInt.optional(),
    CONFIRMATIONS: nonNegativeInt.default(0),
    FINALITY_DEPTH: positiveInt.default(64),
    POLL_INTERVAL_MS: positiveInt.default(200),
    GETLOGS_INITIAL_RANGE: positiveInt.default(250),
    GETLOGS_MAX_RANGE: positiveInt.default(100_000),
    GETLOGS_TARGET_LOGS: positiveInt.default(8_000),
    HEADER_BATCH_SIZE: positiveInt.default(100),
    PREFETCH_DEPTH: positiveInt.default(2),
    /** Current-state rows (patients, treatments, members, grants) kept in memory between batches. */
    STATE_CACHE_ENTRIES: positiveInt.default(200_000),
    /** /ready: caught up means within this many blocks of the head (beyond CONFIRMATIONS)... */
    READY_LAG_BLOCKS: nonNegativeInt.default(2),
    /** ...and the lag alarm turns /ready false once lagging more than that lasts this long. */
    READY_LAG_MS: nonNegativeInt.default(30_000),
    /** Longest backoff between restarts from the checkpoint and attempts to take the lead. */
    RESTART_MAX_DELAY_MS: positiveInt.default(5_000),
    OPS_HOST: z.string().default("127.0.0.1"),
    OPS_PORT: port.default(9464),
    /** Verify attached files against IPFS in this process (several processes may share the queue). */
    VERIFY_ENABLED: booleanFlag.default(true),
    IPFS_API_URL: url.default("http://127.0.0.1:5001"),
    VERIFY_DB_POOL_SIZE: positiveInt.default(4),
    ...verifyFields,
  })
  .refine((c) => (c.CONTRACT_ADDRESS === undefined) === (c.CHAIN_ID === undefined), {
    message: "set CONTRACT_ADDRESS and CHAIN_ID together (or neither, to read DEPLOYMENT_FILE)",
    path: ["CONTRACT_ADDRESS"],
  });

export type IndexerConfig = z.output<typeof indexerConfigSchema>;
