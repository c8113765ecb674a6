/** How the indexer's and the verifier's processes end on a failure. */
import { DocTelError } from "../../shared/errors.ts";

/** Error codes that mean "the configuration cannot work": exit 2, as for a bad variable. */
const CONFIGURATION_CODES: ReadonlySet<string> = new Set(["CONFIG_INVALID", "CHAIN_MISMATCH"]);

/** 2 when the configuration cannot work (fix it and start again), 1 for any other failure. */
export function exitCodeFor(error: unknown): number {
  return error instanceof DocTelError && CONFIGURATION_CODES.has(error.code) ? 2 : 1;
}

/** A message on one line (configuration errors list one variable a line). */
export function oneLine(text: string): string {
  return text
    .trim()
    .replace(/:\s*\n\s*/g, ": ")
    .replace(/\s*\n\s*/g, "; ");
}
