/** API errors as the dashboards show them: the server's code, a sentence for people, the request id. */

export class ApiError extends Error {
  readonly code: string;
  readonly requestId: string | null;

  constructor(code: string, message: string, requestId: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.requestId = requestId;
  }
}

/** True when the session is gone and the user must sign in again. */
export function needsSignIn(error: unknown): boolean {
  return error instanceof ApiError && error.code === "UNAUTHENTICATED";
}

/** What to tell the user about an error, by code; the server's own message where it is meant for them. */
export function describeApiError(error: unknown): string {
  if (!(error instanceof ApiError)) {
    return error instanceof Error ? error.message : "Something went wrong.";
  }
  const ref = error.requestId ? ` (request ${error.requestId})` : "";
  switch (error.code) {
    case "UNAUTHENTICATED":
      return `Your session has ended or is not valid: sign in again. ${error.message}`;
    case "FORBIDDEN":
      return `Your roles do not allow this. ${error.message}`;
    case "BAD_USER_INPUT":
    case "BAD_REQUEST":
    case "GRAPHQL_VALIDATION_FAILED":
      return `Please check the input: ${error.message}`;
    case "NOT_FOUND":
      return `Not found: ${error.message}`;
    case "QUERY_TOO_COMPLEX":
    case "TOO_LARGE":
      return `The request is too large: ${error.message} Narrow it (a shorter period, fewer series).`;
    case "RATE_LIMITED":
      return `Too many requests: wait a moment and try again. ${error.message}`;
    case "IPFS_UNAVAILABLE":
      return `The file store is unavailable right now: try again later. ${error.message}`;
    case "NETWORK":
      return error.message;
    default:
      return `The server could not answer${ref}. ${error.message}`;
  }
}
