import { NonRetryableError } from "../../../shared/errors.ts";

/** A week's privacy budget spent, for the account or the deployment (RATE_LIMITED to clients). */
export class PrivacyBudgetExhaustedError extends NonRetryableError {
  constructor(message: string, details: Record<string, unknown>) {
    super("PRIVACY_BUDGET_SPENT", message, { details });
  }
}

/** A noisy question whose public domain has more cells than the limit (TOO_LARGE to clients). */
export class NoisyDomainTooLargeError extends NonRetryableError {
  constructor(message: string) {
    super("TABLE_TOO_LARGE", message);
  }
}
