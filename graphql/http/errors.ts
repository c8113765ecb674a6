import { NonRetryableError } from "../../shared/errors.ts";

/** A request body over the route's limit (answered 413; shown to clients as TOO_LARGE). */
export class BodyTooLargeError extends NonRetryableError {
  constructor(limit: number) {
    super("BODY_TOO_LARGE", `request body is larger than ${limit} bytes`);
  }
}
