/**
 * The API edge of the error model: DocTelErrors become GraphQL errors with their code in
 * `extensions.code`; Apollo's own errors keep theirs; a database that cannot answer for now
 * (classified by SQLSTATE, shared/errors.ts) is DATABASE_UNAVAILABLE with HTTP 503 and
 * Retry-After, for the client to try again; anything else is an internal error, logged in full
 * (with the request id) by the logging plugin and shown to clients as "internal error" unless
 * NODE_ENV=development.
 */
import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import {
  classifyDatabaseError,
  DatabaseUnavailableError,
  DocTelError,
  type ErrorCode,
  sqlState,
  ValidationError,
} from "../shared/errors.ts";

/**
 * Codes clients see under another name: one public code for several failures of one kind, and
 * INTERNAL in Apollo's spelling. Every other shared/errors.ts code is shown as it is.
 */
const PUBLIC_CODES: Partial<Record<ErrorCode, string>> = {
  INTERNAL: "INTERNAL_SERVER_ERROR",
  BODY_TOO_LARGE: "TOO_LARGE",
  TABLE_TOO_LARGE: "TOO_LARGE",
  FILE_TOO_LARGE: "TOO_LARGE",
  CONTENT_TOO_LARGE: "TOO_LARGE",
  CONTENT_INVALID: "CID_MISMATCH",
  PRIVACY_BUDGET_SPENT: "RATE_LIMITED",
  DATASET_LIMIT_REACHED: "RATE_LIMITED",
};

/** The GraphQL code of a DocTel error code (see PUBLIC_CODES). */
export function graphqlCode(code: ErrorCode): string {
  return PUBLIC_CODES[code] ?? code;
}

const HTTP_STATUS: Partial<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  QUERY_TOO_COMPLEX: 400,
  BAD_USER_INPUT: 400,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  TOO_LARGE: 413,
  RATE_LIMITED: 429,
  DATABASE_UNAVAILABLE: 503,
};

/** The HTTP status of a response whose errors carry these codes (the first that has one wins). */
export function httpStatusOf(codes: readonly string[]): number | undefined {
  for (const code of ["DATABASE_UNAVAILABLE", "RATE_LIMITED"])
    if (codes.includes(code)) return HTTP_STATUS[code];
  return undefined;
}

/** Seconds a client should wait before retrying after DATABASE_UNAVAILABLE. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

/** A GraphQL error carrying a DocTel code (and an HTTP status when the whole request fails). */
export function apiError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  const gqlCode = graphqlCode(code);
  const status = HTTP_STATUS[gqlCode];
  return new GraphQLError(message, {
    extensions: { code: gqlCode, ...extensions, ...(status ? { http: { status } } : {}) },
  });
}

/** Codes a client may see with their message; everything else is masked. */
const CLIENT_CODES = new Set([
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "QUERY_TOO_COMPLEX",
  "TOO_LARGE",
  "RATE_LIMITED",
  "DATABASE_UNAVAILABLE",
  "IPFS_UNAVAILABLE",
  "CID_MISMATCH",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

export interface Classified {
  code: string;
  /** True when the error is ours or the client's to understand; false for bugs and outages. */
  known: boolean;
}

/** Prisma's codes for a database it cannot reach or that dropped the connection (P1xxx, pool timeout). */
const PRISMA_UNAVAILABLE = /^(P1001|P1002|P1008|P1017|P2024)$/;

/**
 * A failure of PostgreSQL (node-postgres or Prisma's driver adapter, which wraps it in `cause`), as
 * shared/errors.ts classifies it; undefined for anything else.
 */
export function databaseFailureOf(error: unknown): DocTelError | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    const prismaUnavailable = typeof code === "string" && PRISMA_UNAVAILABLE.test(code);
    if (prismaUnavailable) return new DatabaseUnavailableError("database unavailable", { cause: error });
    const socketLevel = typeof code === "string" && /^E[A-Z]+$/.test(code);
    const state = sqlState(current);
    // Class 22, data exception: a value from the request that the column cannot take (out of range,
    // not a timestamp, invalid text). The API's statements only read stored data and parameters.
    if (state?.startsWith("22")) {
      return new ValidationError(`invalid value in the request: ${current.message}`, {
        cause: error,
        details: { sqlstate: state },
      });
    }
    if (
      state !== undefined ||
      socketLevel ||
      /Connection terminated|connection error/i.test(current.message)
    ) {
      return classifyDatabaseError(current, "API query");
    }
    current = current.cause;
  }
  return undefined;
}

/** Classifies what a resolver or the pipeline threw. */
export function classifyError(error: unknown): Classified {
  const original = unwrapResolverError(error);
  const database = original instanceof DocTelError ? undefined : databaseFailureOf(original);
  if (database instanceof DatabaseUnavailableError) return { code: "DATABASE_UNAVAILABLE", known: true };
  if (database instanceof ValidationError) return { code: "BAD_USER_INPUT", known: true };
  if (original instanceof DocTelError) {
    const code = graphqlCode(original.code);
    return { code, known: CLIENT_CODES.has(code) };
  }
  if (original instanceof GraphQLError || error instanceof GraphQLError) {
    const gql = (original instanceof GraphQLError ? original : error) as GraphQLError;
    const code = typeof gql.extensions?.code === "string" ? gql.extensions.code : "INTERNAL_SERVER_ERROR";
    // A GraphQLError without a code that wraps nothing is a schema/validation complaint.
    if (gql.extensions?.code === undefined && gql.originalError === undefined)
      return { code: "BAD_REQUEST", known: true };
    return { code, known: CLIENT_CODES.has(code) };
  }
  return { code: "INTERNAL_SERVER_ERROR", known: false };
}

/**
 * Twelve digits in a row (with optional spaces or hyphens every four) look like an Aadhaar
 * number. GraphQL's own messages echo literals ("String cannot represent a non string value:
 * 234567890124"): such runs are removed from every message a client or a log sees.
 */
const AADHAAR_LIKE = /(?<!\d)\d{4}[\s-]?\d{4}[\s-]?\d{4}(?!\d)/g;

export function scrubDigits(message: string): string {
  return message.replace(AADHAAR_LIKE, "[redacted]");
}

export function createFormatError(options: { development: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const { code, known } = classifyError(error);
    if (!known && !options.development) {
      return { message: "internal error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
    }
    const original = unwrapResolverError(error);
    if (code === "BAD_USER_INPUT" && !(original instanceof DocTelError)) {
      const database = databaseFailureOf(original);
      if (database) {
        return {
          message: scrubDigits(database.message),
          ...(formatted.path ? { path: formatted.path } : {}),
          extensions: { code, details: database.details },
        };
      }
    }
    if (code === "DATABASE_UNAVAILABLE" && !(original instanceof DocTelError)) {
      return {
        message: "the database is unavailable for now: try again shortly",
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
      };
    }
    const extensions: Record<string, unknown> = { ...formatted.extensions, code };
    if (original instanceof DocTelError && Object.keys(original.details).length > 0) {
      extensions.details = original.details;
    }
    if (!options.development) delete extensions.stacktrace;
    return {
      message: scrubDigits(formatted.message),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions,
    };
  };
}
