/** A pino logger at `info` that keeps each line as an object, for tests that read the logs. */
import { Writable } from "node:stream";
import pino from "pino";
import type { Logger } from "../../shared/logger.ts";

export function captureLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}
