import { NonRetryableError } from "../../shared/errors.ts";

/** A rate limit reached: try again in `retryAfterSeconds` (answered 429 with Retry-After). */
export class RateLimitedError extends NonRetryableError {
  readonly retryAfterSeconds: number;
  constructor(what: string, retryAfterSeconds: number) {
    super("RATE_LIMITED", `too many ${what}: try again in ${retryAfterSeconds} s`, {
      details: { retryAfterSeconds },
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
