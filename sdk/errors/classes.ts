/**
 * The SDK's error classes: subclasses of the shared DocTelError hierarchy, so retry loops
 * branch on RetryableError / NonRetryableError and the CLI and API map `code`.
 */
import { type DocTelErrorOptions, NonRetryableError } from "../../shared/errors.ts";

/** Shared with the indexer and the simulator: one class each, in shared/errors.ts. */
export { IpfsUnavailableError, RpcUnavailableError } from "../../shared/errors.ts";

/** The request contradicts the contract's current state (already registered, stage went past…). */
export class ConflictError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("CONFLICT", message, options);
  }
}

/** A revert the SDK has no specific message for, or a transaction that reverted on-chain. */
export class ContractRevertedError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("CONTRACT_REVERTED", message, options);
  }
}

/** The IPFS node stored the bytes under another CID than the one computed locally. */
export class CidMismatchError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("CID_MISMATCH", message, options);
  }
}

/** A file over the configured size limit. */
export class FileTooLargeError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("FILE_TOO_LARGE", message, options);
  }
}

/** The deployment record names another chain than the node serves (shared with the indexer). */
export { ChainMismatchError } from "../../shared/errors.ts";

/** Anything unexpected from the node or wallet: the message says what was being done. */
export class UnexpectedError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("INTERNAL", message, options);
  }
}
