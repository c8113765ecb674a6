/**
 * The API edge of the error model: DocTelErrors become GraphQL errors with their code in
 * `extensions.code`; Apollo's own errors keep theirs; anything else is an internal error, logged
 * in full (with the request id) by the logging plugin and shown to clients as "internal error"
 * unless NODE_ENV=development.
 */
import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { DocTelError, type ErrorCode } from "../shared/errors.ts";

/**
 * Codes clients see under another name: one public code for several failures of one kind, and
 * INTERNAL in Apollo's spelling. Every other shared/errors.ts code is shown as it is.
 */
const PUBLIC_CODES: Partial<Record<ErrorCode, string>> = {
  INTERNAL: "INTERNAL_SERVER_ERROR",
  CUBE_DEFINITION_INVALID: "INTERNAL_SERVER_ERROR",
  BODY_TOO_LARGE: "TOO_LARGE",
  TABLE_TOO_LARGE: "TOO_LARGE",
  FILE_TOO_LARGE: "TOO_LARGE",
  CONTENT_TOO_LARGE: "TOO_LARGE",
  CONTENT_INVALID: "CID_MISMATCH",
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
};

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

/** Classifies what a resolver or the pipeline threw. */
export function classifyError(error: unknown): Classified {
  const original = unwrapResolverError(error);
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
