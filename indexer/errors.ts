/**
 * The indexer's failures, one class and one code each. Retryable ones restart indexing from the
 * checkpoint (after a backoff); the others stop the process with a non-zero exit. Shared
 * failures (the node or IPFS unreachable, the database) are in shared/errors.ts.
 */
import { type DocTelErrorOptions, NonRetryableError, RetryableError } from "../shared/errors.ts";

export {
  ChainMismatchError,
  DatabaseError,
  DatabaseUnavailableError,
  RpcUnavailableError,
} from "../shared/errors.ts";

/**
 * eth_getLogs asked for too much (result count or response size). Sending the same request again
 * cannot help, so it is not retryable as such: the log fetcher shrinks the range and asks again.
 */
export class LogRangeTooLargeError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("LOG_RANGE_TOO_LARGE", message, options);
  }
}

/** The node answered with a JSON-RPC error, or an answer of the wrong shape, that retrying will not fix. */
export class RpcRequestError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("RPC_REQUEST_FAILED", message, options);
  }
}

/** A reorg reached below the finalized block: the database cannot be trusted to roll back. */
export class ReorgPastFinalityError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("REORG_PAST_FINALITY", message, options);
  }
}

/** Data from the node that contradicts itself: a log whose block hash is not the block's. */
export class InconsistentChainDataError extends RetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("CHAIN_DATA_INCONSISTENT", message, options);
  }
}

/** A log of the contract that is not a DocTel event, or whose fields cannot be read. */
export class UndecodableLogError extends NonRetryableError {
  constructor(message: string, details: Record<string, unknown>) {
    super("LOG_UNDECODABLE", message, { details });
  }
}

/** An event names an entity (a treatment, a patient) that the index has never seen created. */
export class MissingEntityError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("ENTITY_MISSING", message, options);
  }
}

/**
 * The node's answers skip a DocTel event: the contract numbers every event, and the next number
 * read is not the one expected (or an access-control event is missing next to its number). The
 * range is read again from the checkpoint; nothing after the gap is written.
 */
export class EventSequenceGapError extends RetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("EVENT_SEQUENCE_GAP", message, options);
  }
}

/**
 * This process no longer leads: its advisory lock's connection was lost, or another process took
 * the lead (the fencing epoch in indexer_state moved on). It writes nothing more and waits to
 * lead again.
 */
export class LeadershipLostError extends RetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("LEADERSHIP_LOST", message, options);
  }
}
