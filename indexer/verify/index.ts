/**
 * Attachment verification (issue 3, section 4): what the indexer, the CLI and the API use.
 *
 *   const config = parseConfig(z.object({ ...verifyFields, ... }), process.env);
 *   const worker = createVerificationWorker({
 *     pool: createPgPool({ connectionString, max: 4, name: "verifier", logger }),  // its own pool
 *     ipfsUrl: config.IPFS_API_URL,
 *     config: toVerifierSettings(config),
 *     logger,
 *     metrics: registry,
 *   });
 *   await worker.start();  ...  await worker.stop();
 *
 * The indexer inserts PENDING file_verification rows with the attachments and calls
 * notifyVerificationQueue(tx) in the same transaction; operators call requeue().
 */
export { type BackoffPolicy, backoffDelayMs } from "./backoff.ts";
export {
  defaultVerifierSettings,
  toVerifierSettings,
  type VerifierSettings,
  type VerifyConfig,
  verifyConfigSchema,
  verifyFields,
} from "./config.ts";
export { detectContentType } from "./content-type.ts";
export { ContentInvalidError, ContentTooLargeError, IpfsUnavailableError } from "./errors.ts";
export { createVerifyMetrics, type VerifyMetrics } from "./metrics.ts";
export {
  countQueue,
  FAR_FUTURE,
  notifyVerificationQueue,
  type QueueCounts,
  type RequeueFilter,
  requeue,
  VERIFICATION_STATUSES,
  VERIFY_CHANNEL,
  type VerificationStatus,
} from "./queue.ts";
export { type FetchBlock, type VerifyLimits, type VerifyResult, verifyCid } from "./verify-cid.ts";
export {
  createVerificationWorker,
  type VerificationWorker,
  type VerificationWorkerOptions,
  type VerificationWorkerStats,
} from "./worker.ts";
