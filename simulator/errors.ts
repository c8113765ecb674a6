import { type DocTelErrorOptions, NonRetryableError } from "../shared/errors.ts";

/** A simulated transaction reverted, or the chain did not do what the plan expected. */
export class SimulationFailedError extends NonRetryableError {
  constructor(message: string, options?: DocTelErrorOptions) {
    super("SIMULATION_FAILED", message, options);
  }
}
