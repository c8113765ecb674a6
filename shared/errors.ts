/**
 * One error base class for the whole project. Every error has a short message, an optional
 * cause, and structured details. Retry loops branch on `RetryableError` vs
 * `NonRetryableError`; the API maps `code` to GraphQL error codes.
 */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/**
 * One code per failure (one class each; test/shared/error-taxonomy.test.ts keeps them unique).
 * The API shows some of them to clients under a public code (graphql/errors.ts); the CLI turns
 * them into exit codes (cli/errors.ts).
 */
export type ErrorCode =
  // shared/errors.ts
  | "BAD_USER_INPUT"
  | "CONFIG_INVALID"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CHAIN_MISMATCH"
  | "RPC_UNAVAILABLE"
  | "IPFS_UNAVAILABLE"
  | "DATABASE_UNAVAILABLE"
  | "DATABASE_ERROR"
  // sdk/errors/classes.ts
  | "CONFLICT"
  | "CONTRACT_REVERTED"
  | "CID_MISMATCH"
  | "FILE_TOO_LARGE"
  | "INTERNAL"
  // indexer/errors.ts
  | "LOG_RANGE_TOO_LARGE"
  | "RPC_REQUEST_FAILED"
  | "CHAIN_DATA_INCONSISTENT"
  | "REORG_PAST_FINALITY"
  | "LOG_UNDECODABLE"
  | "ENTITY_MISSING"
  | "EVENT_SEQUENCE_GAP"
  | "LEADERSHIP_LOST"
  // indexer/verify/errors.ts
  | "CONTENT_INVALID"
  | "CONTENT_TOO_LARGE"
  // simulator/errors.ts
  | "SIMULATION_FAILED"
  // cli/errors.ts
  | "INDEXER_STOPPED"
  // graphql (http/errors.ts, limits/errors.ts, analytics/noise/errors.ts,
  // analytics/datasets/errors.ts); QUERY_TOO_COMPLEX is raised as a GraphQL error directly
  | "BODY_TOO_LARGE"
  | "TABLE_TOO_LARGE"
  | "RATE_LIMITED"
  | "PRIVACY_BUDGET_SPENT"
  | "DATASET_LIMIT_REACHED"
  | "QUERY_TOO_COMPLEX";

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

/**
 * The JSON-RPC node cannot be reached, did not answer in time, answered HTTP 429/5xx, cut its
 * answer short, or answered with an error that nodes send when strained. `url` is redacted (or
 * undefined when the caller does not know it). The SDK, the simulator and the indexer share it.
 */
export class RpcUnavailableError extends RetryableError {
  readonly url: string | undefined;
  constructor(message: string, url: string | undefined, options?: DocTelErrorOptions) {
    super("RPC_UNAVAILABLE", message, options);
    this.url = url;
  }
}

/** The IPFS node's RPC API cannot be reached, did not answer in time, or did not hand over a block. */
export class IpfsUnavailableError extends RetryableError {
  readonly url: string | undefined;
  constructor(message: string, url: string | undefined, options?: DocTelErrorOptions) {
    super("IPFS_UNAVAILABLE", message, options);
    this.url = url;
  }
}

/**
 * PostgreSQL could not serve the request for now: the connection was lost or refused, the server
 * is shutting down or starting, or the transaction lost a serialization race or a deadlock. The
 * work it was part of rolled back; trying again later can succeed.
 */
export class DatabaseUnavailableError extends RetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("DATABASE_UNAVAILABLE", message, options);
  }
}

/** PostgreSQL refused the request for a reason that retrying will not fix (a bug or bad data). */
export class DatabaseError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("DATABASE_ERROR", message, options);
  }
}

/**
 * SQLSTATE classes and codes after which the same work may succeed again: 08 connection
 * exception, 40001 serialization failure, 40P01 deadlock, 53 insufficient resources (too many
 * connections, out of memory or disk), 57P01-57P05 shutdown, crash, cannot connect now, idle
 * session timeout, 58 system error (I/O).
 */
const RETRYABLE_SQLSTATE = /^(08...|40001|40P01|53...|57P0[1-5]|58...)$/;
/** Socket-level failures from node-postgres or the OS: the connection is gone. */
const RETRYABLE_SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
const CONNECTION_LOST =
  /Connection terminated|connection error|not queryable|Client was closed|timeout exceeded when trying to connect/i;

/** The SQLSTATE of a node-postgres error (five characters), if it has one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Turns anything a PostgreSQL client threw into the project's taxonomy: a DocTelError passes
 * through, connection and transient server failures become DatabaseUnavailableError (retryable),
 * everything else DatabaseError. `what` says what was being done ("commit batch 812-900").
 */
export function classifyDatabaseError(error: unknown, what: string): DocTelError {
  if (error instanceof DocTelError) return error;
  const state = sqlState(error);
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const details = { operation: what, ...(state ? { sqlstate: state } : {}) };
  const transient =
    (state !== undefined && RETRYABLE_SQLSTATE.test(state)) ||
    (typeof code === "string" && RETRYABLE_SOCKET_CODES.has(code)) ||
    (state === undefined && CONNECTION_LOST.test(message));
  return transient
    ? new DatabaseUnavailableError(`${what}: database unavailable`, { cause: error, details })
    : new DatabaseError(`${what}: database error${state ? ` ${state}` : ""}`, { cause: error, details });
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
