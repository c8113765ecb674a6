/**
 * A PostgreSQL session-level advisory lock on a connection of its own. The lock lives exactly as
 * long as that session: a process killed with SIGKILL loses its connection, and PostgreSQL
 * releases the lock at once, so whoever waits for it (an indexer standby) or checks it (a
 * verifier looking for dead claimants) learns of the death without any timeout of ours.
 *
 * Keys are two int4 (`pg_advisory_lock(key1, key2)`): pg_locks shows them as classid and objid
 * with objsubid 2. Advisory locks are per database.
 */
import type pg from "pg";
import { createPgClient } from "../../shared/db/pool.ts";
import { classifyDatabaseError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/logger.ts";
import { connectionOf as writerConnectionOf } from "../store/batch-writer.ts";

/** The first key of the indexer's leader lock ("DocT"), so others' locks never collide. */
export const LOCK_CLASS = 0x446f6354;
/** Its second key. */
export const LEADER_LOCK = 1;
/** The first key of verifier instance locks ("DocV"); the second is the instance id. */
export const INSTANCE_LOCK_CLASS = 0x446f6356;

export type LockKey = readonly [number, number];

export interface SessionLock {
  /** The backend pid of the session holding the lock (pg_locks.pid). */
  readonly pid: number;
  /** Aborted when the session is lost (the lock with it). */
  readonly lost: AbortSignal;
  /** Releases the lock and closes the session. */
  release(): Promise<void>;
}

export interface SessionLockArgs {
  connection: pg.ClientConfig & { connectionString: string };
  key: LockKey;
  /** Names the connection in logs ("indexer leader lock"). */
  name: string;
  logger: Logger;
  /** Wait for the lock (true) or give up at once when another session holds it. */
  wait: boolean;
  signal?: AbortSignal;
}

/**
 * Connects and takes the lock. Null when `wait` is false and another session holds it, or when
 * `signal` aborts the wait. Connection failures come out classified (DatabaseUnavailableError).
 */
export async function acquireSessionLock(args: SessionLockArgs): Promise<SessionLock | null> {
  const lost = new AbortController();
  let released = false;
  const client = createPgClient({
    ...args.connection,
    // A session that dies without a word (a network partition) is noticed within a minute or so.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    name: args.name,
    logger: args.logger,
    onError: (error) => lost.abort(error),
  });
  client.on("end", () => {
    if (!released) lost.abort(new Error(`${args.name}: the database session ended`));
  });
  const onAbort = () => {
    released = true;
    void client.end().catch(() => undefined);
  };
  args.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const pid = rows[0]!.pid;
    if (args.wait) {
      await client.query("SELECT pg_advisory_lock($1, $2)", [...args.key]);
    } else {
      const got = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", [
        ...args.key,
      ]);
      if (!got.rows[0]!.ok) {
        released = true;
        await client.end().catch(() => undefined);
        return null;
      }
    }
    return {
      pid,
      lost: lost.signal,
      async release() {
        if (released) return;
        released = true;
        // Closing the session releases the lock; unlocking first says so at once.
        await client.query("SELECT pg_advisory_unlock($1, $2)", [...args.key]).catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  } catch (error) {
    released = true;
    await client.end().catch(() => undefined);
    if (args.signal?.aborted) return null;
    throw classifyDatabaseError(error, args.name);
  } finally {
    args.signal?.removeEventListener("abort", onAbort);
  }
}

/** A pool's connection settings, for a session of its own. */
export function connectionOf(pool: pg.Pool): pg.ClientConfig & { connectionString: string } {
  return { ...writerConnectionOf(pool), connectionString: pool.options.connectionString ?? "" };
}

/** SQL for the ids of the sessions holding locks of `$n` (a lock class) in this database. */
export function lockHoldersSql(classParam: string): string {
  return `SELECT objid::bigint FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid::bigint = ${classParam}
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
}
