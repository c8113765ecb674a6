import pino, { type Logger } from "pino";

export type { Logger } from "pino";

export interface LoggerOptions {
  level: string;
  /** `json` for machines (the default), `pretty` for a terminal. */
  format: "json" | "pretty";
  /** The process or component name, logged as `service`. */
  service: string;
  destination?: NodeJS.WritableStream;
}

/**
 * Structured logs with stable snake_case keys (`block_number`, `events`, `duration_ms`).
 * Errors go under `err`, with their details, causes and stacks.
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = { service: options.service };
  if (options.format === "pretty") {
    return pino({
      level: options.level,
      base,
      transport: {
        target: "pino-pretty",
        options: { colorize: true, ignore: "pid,hostname,service", translateTime: "HH:MM:ss.l" },
      },
    });
  }
  return pino(
    { level: options.level, base, timestamp: pino.stdTimeFunctions.isoTime },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

/** A logger that drops everything: for tests and for library callers that pass none. */
export function createSilentLogger(): Logger {
  return pino({ level: "silent" });
}
