import { NonRetryableError } from "../../../shared/errors.ts";

/** An account's daily dataset or export limit reached (shown to clients as RATE_LIMITED). */
export class DatasetLimitError extends NonRetryableError {
  constructor(message: string, details: Record<string, unknown>) {
    super("DATASET_LIMIT_REACHED", message, { details });
  }
}
