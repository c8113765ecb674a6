import { NonRetryableError } from "../../../shared/errors.ts";

/** A bug in how a query built its dimensions (not the caller's fault). */
export class CubeDefinitionError extends NonRetryableError {
  constructor(message: string) {
    super("CUBE_DEFINITION_INVALID", message);
  }
}

/** A released table with more cells than the limit (shown to clients as TOO_LARGE). */
export class TableTooLargeError extends NonRetryableError {
  constructor(message: string) {
    super("TABLE_TOO_LARGE", message);
  }
}

/** The viewer's privacy budget for the window is spent (shown to clients as RATE_LIMITED). */
export class PrivacyBudgetError extends NonRetryableError {
  constructor(message: string) {
    super("PRIVACY_BUDGET_SPENT", message);
  }
}
