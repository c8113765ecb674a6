/**
 * The life of the indexer's and the verifier's processes: configuration parsed once (a bad one
 * is one line on stderr and exit 2), a logger, SIGINT/SIGTERM stopping the work, and a failure
 * ending as one fatal log line and an exit code (2 when the configuration cannot work, else 1).
 */
import type { z } from "zod";
import { parseConfig } from "../../shared/config.ts";
import { DocTelError, describeError } from "../../shared/errors.ts";
import { createLogger, type Logger } from "../../shared/logger.ts";

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

type LoggedConfig = { LOG_LEVEL: Parameters<typeof createLogger>[0]["level"]; LOG_FORMAT: "json" | "pretty" };

/** Runs `run` as the process's work until it ends or a signal stops it; sets the exit code. */
export async function runService<S extends z.ZodType<LoggedConfig>>(args: {
  name: "indexer" | "verifier";
  schema: S;
  run(config: z.output<S>, logger: Logger, signal: AbortSignal): Promise<void>;
}): Promise<void> {
  let config: z.output<S>;
  try {
    config = parseConfig(args.schema, process.env);
  } catch (error) {
    process.stderr.write(`doctel ${args.name}: ${oneLine(describeError(error))}\n`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, service: args.name });
  const controller = new AbortController();
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      logger.info({ signal: sig }, "stopping");
      controller.abort();
    });
  }
  try {
    await args.run(config, logger, controller.signal);
    logger.info(`${args.name} stopped`);
    logger.flush();
  } catch (error) {
    logger.fatal(
      { err: error, code: error instanceof DocTelError ? error.code : undefined },
      describeError(error),
    );
    logger.flush();
    process.exitCode = exitCodeFor(error);
  }
}
