/**
 * PostgreSQL NOTIFY channels: the contract between a writer and its listeners, which live in
 * different stages (the indexer's store writes, the verifier listens) and must not import each other.
 */

/** Notified in the transaction that queues files for verification (file_verification PENDING rows). */
export const VERIFY_CHANNEL = "doctel_file_verification";
