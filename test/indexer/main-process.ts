/**
 * The real `node indexer/main.ts` (or `indexer/verify/main.ts`) as a child process, with its
 * JSON log lines (stderr) collected, for tests that need a process of its own: exit codes,
 * SIGKILL, several processes on one database.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type pg from "pg";

const root = path.resolve(import.meta.dirname, "../..");

export interface MainProcess {
  readonly child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** The JSON log lines so far (other lines skipped). */
  lines(): Record<string, unknown>[];
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Resolves with the first log line that `match` accepts; rejects if the process exits first. */
  waitForLine(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const BASE_ENV = {
  OPS_PORT: "0",
  VERIFY_ENABLED: "false",
  LOG_LEVEL: "info",
  POLL_INTERVAL_MS: "20",
};

export function spawnMain(env: Record<string, string>, script = "indexer/main.ts"): MainProcess {
  const child = spawn(process.execPath, [path.join(root, script)], {
    cwd: root,
    env: { PATH: process.env.PATH, ...BASE_ENV, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let text = "";
  const parsed: Record<string, unknown>[] = [];
  let partial = "";
  const watchers = new Set<() => void>();
  child.stderr?.on("data", (d) => {
    text += String(d);
    partial += String(d);
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) {
      try {
        parsed.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
    for (const w of watchers) w();
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      exitCode = code;
      for (const w of watchers) w();
      resolve(code);
    }),
  );
  return {
    child,
    stderr: () => text,
    lines: () => parsed,
    exited,
    waitForLine(match, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`no matching log line within ${timeoutMs} ms:\n${text.slice(-4000)}`));
        }, timeoutMs);
        const check = () => {
          const found = parsed.find(match);
          if (found) {
            clearTimeout(timer);
            watchers.delete(check);
            resolve(found);
          } else if (exitCode !== undefined) {
            clearTimeout(timer);
            watchers.delete(check);
            reject(new Error(`the process exited (${exitCode}) first:\n${text.slice(-4000)}`));
          }
        };
        watchers.add(check);
        check();
      });
    },
    async stop(signal = "SIGTERM") {
      if (exitCode === undefined) child.kill(signal);
      return exited;
    },
  };
}

/** The checkpoint's block (-1 before the first start, or before the migrations made the table). */
export async function indexedBlock(pool: pg.Pool): Promise<bigint> {
  try {
    const { rows } = await pool.query<{ b: string }>("SELECT indexed_block::text AS b FROM indexer_state");
    return rows[0] ? BigInt(rows[0].b) : -1n;
  } catch (error) {
    if ((error as { code?: string }).code === "42P01") return -1n;
    throw error;
  }
}

/** Polls the checkpoint until `done` accepts it; fails if `process` exits first. */
export async function waitForCheckpoint(
  pool: pg.Pool,
  done: (block: bigint) => boolean,
  processes: readonly MainProcess[] = [],
  timeoutMs = 120_000,
): Promise<bigint> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const block = await indexedBlock(pool);
    if (done(block)) return block;
    for (const p of processes) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new Error(
          `an indexer process exited (${p.child.exitCode}) at block ${block}:\n${p.stderr().slice(-4000)}`,
        );
      }
    }
    if (Date.now() > deadline) throw new Error(`the checkpoint stayed at ${block} for ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
