/**
 * A periodic job that runs in every API replica but does its work in one at a time: each tick
 * takes a PostgreSQL session advisory lock (pg_try_advisory_lock on a dedicated connection),
 * runs, and unlocks. A replica that finds the lock taken skips the tick; a replica that dies
 * mid-run loses its connection, and with it the lock, so the next tick elsewhere takes over.
 *
 * The one scheduler of the API's background work: the weekly publications
 * (graphql/analytics/publications/job.ts) and the de-identified dataset releases
 * (graphql/analytics/datasets/release-job.ts); graphql/analytics/jobs.ts starts both. Give it a
 * name, a lock key, an interval and a `run`. The work itself should be idempotent and resumable
 * (publish what is due and not yet published), since a tick may stop between two units of work.
 * `withAdvisoryLock` is the same lock for callers outside a job (tests, commands).
 *
 * Ticks never overlap; errors are logged and retried on the next tick (never thrown at the
 * caller, never an unhandled rejection). `runOnce` runs a tick now and reports what happened,
 * for tests and commands.
 */
import type { Pool, PoolClient } from "pg";
import { classifyDatabaseError } from "../../../shared/errors.ts";
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
  /** Called after every tick, scheduled or `runOnce` (e.g. to update a metric). */
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
    const started = performance.now();
    try {
      const outcome = await withAdvisoryLock(pool, lockKey, () => args.run(controller.signal));
      if (!outcome.locked) return { kind: "busy" };
      return { kind: "ran", value: outcome.value, durationMs: Math.round(performance.now() - started) };
    } catch (error) {
      logger.error({ err: error, job: name }, "periodic job failed; retrying on the next tick");
      return { kind: "failed", error };
    }
  };

  const runTick = () => {
    const next = current.then(tick, tick).then((result) => {
      try {
        args.onTick?.(result);
      } catch (error) {
        logger.error({ err: error, job: name }, "periodic job's onTick failed");
      }
      return result;
    });
    current = next;
    return next;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runTick().then(schedule);
    }, intervalMs);
    timer.unref();
  };

  return {
    start() {
      void runTick().then(schedule);
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

export type LockOutcome<T> = { locked: false } | { locked: true; value: T };

/**
 * Runs `work` while this process holds the session advisory lock `lockKey` (hashed with
 * hashtext), on a connection of its own that does nothing else; `{ locked: false }` at once when
 * another session holds it. Errors are rethrown; a connection that failed may still hold the
 * lock, so it is closed rather than returned to the pool.
 */
export async function withAdvisoryLock<T>(
  pool: Pool,
  lockKey: string,
  work: () => Promise<T>,
): Promise<LockOutcome<T>> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw classifyDatabaseError(error, `connecting to take the ${lockKey} lock`);
  }
  // The lock's connection is closed rather than pooled when one of its own statements failed: it
  // may still hold the lock. A failure of `work` (on its own connections) leaves it sound.
  let broken = false;
  const locking = async <R>(sql: string): Promise<R[]> => {
    try {
      return (await client.query(sql, [lockKey])).rows as R[];
    } catch (error) {
      broken = true;
      throw classifyDatabaseError(error, `the ${lockKey} lock`);
    }
  };
  try {
    const rows = await locking<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS locked");
    if (!rows[0]?.locked) return { locked: false };
    try {
      return { locked: true, value: await work() };
    } finally {
      await locking("SELECT pg_advisory_unlock(hashtext($1))");
    }
  } finally {
    client.release(broken);
  }
}
