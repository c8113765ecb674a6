/**
 * Every failure ends as one line on stderr and an exit code: 2 for bad input or configuration
 * (fix the command), 1 for everything else (the chain, IPFS, permissions, conflicts). Stacks
 * and causes only with --debug.
 */
import { CommanderError } from "commander";
import { DocTelError, NonRetryableError } from "../shared/errors.ts";
import type { CliIo } from "./io.ts";

/** The embedded stack's indexer stopped for good: `npm start` stops the whole stack with its reason. */
export class IndexerStoppedError extends NonRetryableError {
  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message : "it stopped without an error";
    super("INDEXER_STOPPED", `the indexer stopped (${reason}); DocTel stopped`, { cause });
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const USAGE_CODES: ReadonlySet<string> = new Set([
  "BAD_USER_INPUT",
  "CONFIG_INVALID",
  "FILE_TOO_LARGE",
  "CHAIN_MISMATCH",
]);

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  if (error instanceof DocTelError) return USAGE_CODES.has(error.code) ? EXIT_USAGE : EXIT_FAILURE;
  return EXIT_FAILURE;
}

function oneLine(text: string): string {
  return text
    .trim()
    .replace(/:\s*\n\s*/g, ": ")
    .replace(/\s*\n\s*/g, "; ");
}

/** Writes the error (commander already printed its own usage errors) and returns the exit code. */
export function reportError(error: unknown, io: CliIo, debug: boolean): number {
  const code = exitCodeFor(error);
  if (error instanceof CommanderError) return code;
  if (error instanceof DocTelError) {
    io.stderr.write(`error: ${oneLine(error.message)}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`error: unexpected failure: ${oneLine(message)} (run with --debug for details)\n`);
  }
  if (debug) {
    let current: unknown = error;
    for (let depth = 0; current && depth < 6; depth++) {
      io.stderr.write(`${current instanceof Error ? (current.stack ?? current.message) : String(current)}\n`);
      if (current instanceof DocTelError && Object.keys(current.details).length > 0) {
        io.stderr.write(`details: ${JSON.stringify(current.details)}\n`);
      }
      current = (current as { cause?: unknown }).cause;
      if (current) io.stderr.write("caused by: ");
    }
  }
  return code;
}
