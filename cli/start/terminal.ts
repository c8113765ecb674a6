/**
 * What `npm start` shows a person: one line per start-up step, the simulation's progress in
 * place, then the banner. Logs (request logs included) go to a file under DOCTEL_HOME that the
 * banner names; warnings and errors are also printed, one line each, above the progress line.
 * LOG_FORMAT=json instead keeps the machine form of `npm run api` and `npm run indexer`: JSON
 * logs on stderr, no progress view.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { createLogger, type Logger } from "../../shared/logger.ts";
import { formatProgress, type Progress } from "../../simulator/index.ts";

export interface StartProgress {
  /** A step begins; the previous one (if any) is marked done with its duration. */
  step(label: string): void;
  /** The first start's simulation. */
  simulation(progress: Progress): void;
  /** The last step is done: the banner comes next. */
  finish(): void;
  /** Start-up was interrupted (Ctrl-C): the current step ends unfinished. */
  interrupted(): void;
}

export interface StartTerminal {
  logger: Logger;
  progress: StartProgress;
  /** The log file, or null when logs go to stderr (LOG_FORMAT=json). */
  logFile: string | null;
}

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

const LEVEL_NAMES: Record<number, string> = { 40: "warning", 50: "error", 60: "fatal" };

/** A pino JSON line as one human line: "warning: <msg> (<component>): <error message>". */
export function humanLogLine(json: string): string {
  try {
    const entry = JSON.parse(json) as {
      level?: number;
      msg?: string;
      component?: string;
      err?: { message?: string };
    };
    const level = LEVEL_NAMES[entry.level ?? 40] ?? "log";
    const where = entry.component ? ` (${entry.component})` : "";
    const cause = entry.err?.message ? `: ${entry.err.message.split("\n")[0]}` : "";
    return `${level}: ${entry.msg ?? ""}${where}${cause}`;
  } catch {
    return json.trim();
  }
}

export function createStartTerminal(options: {
  level: string;
  format: "json" | "pretty";
  home: string;
  stream?: Stream;
}): StartTerminal {
  const stream: Stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  if (options.format === "json") {
    // Machines: JSON logs on stderr, as `npm run api` and `npm run indexer` print them.
    const logger = createLogger({ level: options.level, format: "json", service: "doctel" });
    return {
      logger,
      logFile: null,
      progress: {
        step: (label) => logger.info({ step: label }, "starting"),
        simulation: () => undefined,
        finish: () => undefined,
        interrupted: () => undefined,
      },
    };
  }

  let current: { label: string; since: number } | null = null;
  let drawn = false;
  let lastSimulationLine = 0;
  const clearLine = () => {
    if (tty && drawn) stream.write("\r\u001b[2K");
    drawn = false;
  };
  const draw = (line: string) => {
    if (tty) {
      const width = Math.max(20, (stream.columns ?? 120) - 1);
      stream.write(`\r\u001b[2K${line.slice(0, width)}`);
      drawn = true;
    }
  };
  const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
  const endStep = () => {
    if (!current) return;
    clearLine();
    stream.write(`  ✓ ${current.label.padEnd(34)} ${seconds(current.since)}\n`);
    current = null;
  };

  mkdirSync(options.home, { recursive: true });
  const logFile = path.join(options.home, "doctel.log");
  const toTerminal = new Writable({
    write(chunk: Buffer, _encoding, done) {
      clearLine();
      for (const line of String(chunk).split("\n"))
        if (line.trim() !== "") stream.write(`  ${humanLogLine(line)}\n`);
      if (current) draw(`  … ${current.label}`);
      done();
    },
  });
  const logger = pino(
    { level: options.level, base: { service: "doctel" }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.multistream([
      {
        level: options.level as pino.Level,
        stream: pino.destination({ dest: logFile, append: true, sync: false, mkdir: true }),
      },
      { level: "warn", stream: toTerminal },
    ]),
  );

  return {
    logger,
    logFile,
    progress: {
      step(label) {
        endStep();
        current = { label, since: performance.now() };
        if (tty) draw(`  … ${label}`);
      },
      simulation(p) {
        const line = `  … ${formatProgress(p)}`;
        if (tty) draw(line);
        else if (performance.now() - lastSimulationLine > 10_000) {
          lastSimulationLine = performance.now();
          stream.write(`${line}\n`);
        }
      },
      finish() {
        endStep();
      },
      interrupted() {
        if (!current) return;
        clearLine();
        stream.write(`  ✗ ${current.label.padEnd(34)} interrupted\n`);
        current = null;
      },
    },
  };
}
