import { type DocTelErrorOptions, type ErrorCode, NonRetryableError } from "../../shared/errors.ts";

/** The IPFS node did not hand over a block (timeout, refused connection, error reply): try later. */
export { IpfsUnavailableError } from "../../shared/errors.ts";

/**
 * The content behind a CID is not an acceptable file: a block that does not hash to its CID, a
 * malformed or unsupported DAG, a directory. Content addressing makes this permanent for the CID.
 */
export class ContentInvalidError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions, code: ErrorCode = "CONTENT_INVALID") {
    super(code, message, options);
  }
}

/** A file (or one of its blocks) over the size limit: as permanent as any other invalid content. */
export class ContentTooLargeError extends ContentInvalidError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super(message, options, "CONTENT_TOO_LARGE");
  }
}
