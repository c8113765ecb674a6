/**
 * One error base class for the whole project. Every error has a short message, an optional
 * cause, and structured details. Retry loops branch on `RetryableError` vs
 * `NonRetryableError`; the API maps `code` to GraphQL error codes.
 */
export type ErrorDetails = Readonly<Record<string, unknown>>;

export type ErrorCode =
  | "BAD_USER_INPUT"
  | "CONFIG_INVALID"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RPC_UNAVAILABLE"
  | "CHAIN_MISMATCH"
  | "CONTRACT_REVERTED"
  | "REORG_PAST_FINALITY"
  | "IPFS_UNAVAILABLE"
  | "CID_MISMATCH"
  | "TOO_LARGE"
  | "QUERY_TOO_COMPLEX"
  | "RATE_LIMITED"
  | "INTERNAL";

export interface DocTelErrorOptions {
  cause?: unknown;
  details?: ErrorDetails;
}

export abstract class DocTelError extends Error {
  abstract readonly retryable: boolean;
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, options: DocTelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** A failure that may succeed if tried again later: timeouts, refused connections, 5xx. */
export class RetryableError extends DocTelError {
  readonly retryable = true;
}

/** A failure that will not go away by itself: bad input, wrong chain, missing permission. */
export class NonRetryableError extends DocTelError {
  readonly retryable = false;
}

export class ValidationError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("BAD_USER_INPUT", message, options);
  }
}

export class ConfigError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("CONFIG_INVALID", message, options);
  }
}

export class NotFoundError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("NOT_FOUND", message, options);
  }
}

export class UnauthenticatedError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("UNAUTHENTICATED", message, options);
  }
}

export class ForbiddenError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("FORBIDDEN", message, options);
  }
}

/** The node serves another chain than the one configured, or the contract is not there. */
export class ChainMismatchError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("CHAIN_MISMATCH", message, options);
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof DocTelError && error.retryable;
}

/** One line for a human: the message, then the causes' messages. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (current instanceof Error) {
      if (!parts.includes(current.message)) parts.push(current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(": ");
}
