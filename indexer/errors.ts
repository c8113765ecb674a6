import { NonRetryableError, RetryableError } from "../shared/errors.ts";

/** The node did not answer usefully: timeouts, refused connections, HTTP 429/5xx. */
export class RpcUnavailableError extends RetryableError {
  constructor(message: string, options?: ConstructorParameters<typeof RetryableError>[2]) {
    super("RPC_UNAVAILABLE", message, options);
  }
}

/**
 * eth_getLogs asked for too much (result count or response size). Sending the same request again
 * cannot help, so it is not retryable as such: the log fetcher shrinks the range and asks again.
 */
export class LogRangeTooLargeError extends NonRetryableError {
  constructor(message: string, options?: ConstructorParameters<typeof NonRetryableError>[2]) {
    super("RPC_UNAVAILABLE", message, options);
  }
}

/** The node answered with a JSON-RPC error that retrying will not fix. */
export class RpcRequestError extends NonRetryableError {
  constructor(message: string, options?: ConstructorParameters<typeof NonRetryableError>[2]) {
    super("RPC_UNAVAILABLE", message, options);
  }
}

export { ChainMismatchError } from "../shared/errors.ts";

/** A reorg reached below the finalized block: the database cannot be trusted to roll back. */
export class ReorgPastFinalityError extends NonRetryableError {
  constructor(message: string, options?: ConstructorParameters<typeof NonRetryableError>[2]) {
    super("REORG_PAST_FINALITY", message, options);
  }
}

/** Data from the node that contradicts itself: a log whose block hash is not the block's. */
export class InconsistentChainDataError extends RetryableError {
  constructor(message: string, options?: ConstructorParameters<typeof RetryableError>[2]) {
    super("RPC_UNAVAILABLE", message, options);
  }
}

/** PostgreSQL refused or lost a batch write (the transaction was rolled back). */
export class DatabaseWriteError extends NonRetryableError {
  constructor(message: string, options?: ConstructorParameters<typeof NonRetryableError>[2]) {
    super("INTERNAL", message, options);
  }
}
