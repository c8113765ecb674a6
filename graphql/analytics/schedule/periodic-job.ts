/**
 * A periodic job that runs in every API replica but does its work in one at a time: each tick
 * takes a PostgreSQL session advisory lock (pg_try_advisory_lock on a dedicated connection),
 * runs, and unlocks. A replica that finds the lock taken skips the tick; a replica that dies
 * mid-run loses its connection, and with it the lock, so the next tick elsewhere takes over.
 *
 * Used by the weekly publications (graphql/analytics/publications/job.ts) and meant for any other
 * periodic release (de-identified dataset releases): give it a name, a lock key, an interval and
 * a `run`. The work itself should be idempotent and resumable (publish what is due and not yet
 * published), since a tick may stop between two units of work.
 *
 * Ticks never overlap; errors are logged and retried on the next tick (never thrown at the
 * caller, never an unhandled rejection). `runOnce` runs a tick now and reports what happened,
 * for tests and commands.
 */
import type { Pool, PoolClient } from "pg";
import type { Logger } from "../../../shared/logger.ts";

export interface PeriodicJobArgs<T> {
  /** Names the job in logs. */
  name: string;
  pool: Pool;
  /** Advisory lock key: one per kind of job (hashed with hashtext). */
  lockKey: string;
  /** Time between the end of one tick and the start of the next. */
  intervalMs: number;
  logger: Logger;
  /** The work of one tick, with the lock held. */
  run(signal: AbortSignal): Promise<T>;
  /** Called after a tick that ran (e.g. to update a metric). */
  onTick?(result: TickResult<T>): void;
}

export type TickResult<T> =
  | { kind: "ran"; value: T; durationMs: number }
  | { kind: "busy" }
  | { kind: "failed"; error: unknown };

export interface PeriodicJob<T> {
  /** Starts ticking (the first tick at once). */
  start(): void;
  /** Stops ticking and waits for the tick under way to finish. */
  stop(): Promise<void>;
  /** Runs one tick now (waits for one under way first). */
  runOnce(): Promise<TickResult<T>>;
}

export function createPeriodicJob<T>(args: PeriodicJobArgs<T>): PeriodicJob<T> {
  const { name, pool, lockKey, intervalMs, logger } = args;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<TickResult<T>> = Promise.resolve({ kind: "busy" });
  let stopped = false;

  const tick = async (): Promise<TickResult<T>> => {
    let client: PoolClient | undefined;
    try {
      client = await pool.connect();
      const { rows } = await client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock(hashtext($1)) AS locked",
        [lockKey],
      );
      if (!rows[0]?.locked) return { kind: "busy" };
      const started = performance.now();
      try {
        const value = await args.run(controller.signal);
        return { kind: "ran", value, durationMs: Math.round(performance.now() - started) };
      } finally {
        await client.query("SELECT pg_advisory_unlock(hashtext($1))", [lockKey]);
      }
    } catch (error) {
      logger.error({ err: error, job: name }, "periodic job failed; retrying on the next tick");
      // A connection that failed mid-tick may still hold the lock: drop it rather than reuse it.
      client?.release(true);
      client = undefined;
      return { kind: "failed", error };
    } finally {
      client?.release();
    }
  };

  const runTick = () => {
    const next = current.then(tick, tick);
    current = next;
    return next;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      runTick().then((result) => {
        args.onTick?.(result);
        schedule();
      });
    }, intervalMs);
    timer.unref();
  };

  return {
    start() {
      runTick().then((result) => {
        args.onTick?.(result);
        schedule();
      });
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      controller.abort();
      await current;
    },
    runOnce: runTick,
  };
}
