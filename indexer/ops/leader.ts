/**
 * Indexer failover: of several indexer processes on one database, the one holding the leader
 * lock (a session-level advisory lock, on a connection of its own) indexes; the others are hot
 * standbys, blocked in pg_advisory_lock, so the lock passes to one of them the moment the
 * leader's session ends (a SIGKILL closes its socket; PostgreSQL ends the session and releases
 * the lock). The new leader moves the epoch in indexer_state on when it opens the checkpoint,
 * and every write checks epoch and lock (indexer_fence()): two leaders never write at once.
 */
import { hostname } from "node:os";
import type pg from "pg";
import { describeError, isRetryable } from "../../shared/errors.ts";
import type { Logger } from "../../shared/logger.ts";
import { backoffDelay, type RetryPolicy, sleep } from "../rpc/retry.ts";
import { acquireSessionLock, LEADER_LOCK, LOCK_CLASS } from "./session-lock.ts";

export interface Leadership {
  /** host:pid of this process. */
  name: string;
  /** The backend pid of the session holding the lock. */
  lockPid: number;
  lockKey: readonly [number, number];
  /** Aborted when the lock's session is lost: stop writing (the fence refuses anyway). */
  lost: AbortSignal;
  release(): Promise<void>;
}

export interface LeaderElectionArgs {
  connection: pg.ClientConfig & { connectionString: string };
  logger: Logger;
  /** Backoff between attempts while the database cannot be reached. */
  retry: RetryPolicy;
  /** Another process leads: this one waits. */
  onStandby(): void;
  /** The database cannot be reached (retried). */
  onFailure(error: unknown): void;
}

export const processName = `${hostname()}:${process.pid}`;

/** Waits until this process leads; null when `signal` aborts first. */
export async function awaitLeadership(
  args: LeaderElectionArgs,
  signal: AbortSignal,
): Promise<Leadership | null> {
  const lockArgs = {
    connection: args.connection,
    key: [LOCK_CLASS, LEADER_LOCK] as const,
    name: "indexer leader lock",
    logger: args.logger,
  };
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      let lock = await acquireSessionLock({ ...lockArgs, wait: false });
      if (!lock) {
        args.onStandby();
        args.logger.info("another indexer process leads: standing by to take over");
        lock = await acquireSessionLock({ ...lockArgs, wait: true, signal });
        if (!lock) return null;
      }
      return {
        name: processName,
        lockPid: lock.pid,
        lockKey: [LOCK_CLASS, LEADER_LOCK],
        lost: lock.lost,
        release: () => lock.release(),
      };
    } catch (error) {
      if (!isRetryable(error)) throw error;
      args.onFailure(error);
      const delay = backoffDelay(Math.min(attempt, 8), args.retry);
      args.logger.warn(
        { err: error, delay_ms: delay, reason: describeError(error) },
        "cannot take the indexer leader lock; retrying",
      );
      await sleep(delay, signal);
    }
  }
  return null;
}
