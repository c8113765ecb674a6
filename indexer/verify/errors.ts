import { type DocTelErrorOptions, NonRetryableError, RetryableError } from "../../shared/errors.ts";

/** The IPFS node did not hand over a block (timeout, refused connection, error reply): try later. */
export class IpfsUnavailableError extends RetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("IPFS_UNAVAILABLE", message, options);
  }
}

/**
 * The content behind a CID is not an acceptable file: a block that does not hash to its CID, a
 * malformed or unsupported DAG, a directory, a file over the size limit. Content addressing makes
 * this permanent for the CID.
 */
export class ContentInvalidError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions & { tooLarge?: boolean }) {
    super(options?.tooLarge ? "TOO_LARGE" : "CID_MISMATCH", message, options);
  }
}
