/**
 * A verification worker's instance: a row of verifier_instance (its id) and a session-level
 * advisory lock on that id, held on a connection of its own while the worker lives. Claims name
 * the instance (file_verification.claimed_by); a claim whose instance holds no lock belongs to a
 * dead worker (a SIGKILL closes its connection and PostgreSQL frees the lock at once), and the
 * next claim by any worker takes it over.
 */
import { hostname } from "node:os";
import type pg from "pg";
import { classifyDatabaseError, DatabaseUnavailableError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/logger.ts";
import { acquireSessionLock, connectionOf, INSTANCE_LOCK_CLASS } from "../ops/session-lock.ts";

export interface VerifierInstance {
  readonly id: number;
  /** Aborted when the lock's session is lost: the instance is dead to the others. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export async function registerInstance(pool: pg.Pool, logger: Logger): Promise<VerifierInstance> {
  const name = `${hostname()}:${process.pid}`;
  let id: number;
  try {
    const { rows } = await pool.query<{ id: number }>(
      "INSERT INTO verifier_instance (name) VALUES ($1) RETURNING id",
      [name],
    );
    id = rows[0]!.id;
  } catch (error) {
    throw classifyDatabaseError(error, "registering a verifier instance");
  }
  const lock = await acquireSessionLock({
    connection: connectionOf(pool),
    key: [INSTANCE_LOCK_CLASS, id],
    name: `verifier instance ${id} lock`,
    logger,
    wait: false,
  });
  // A fresh id from a sequence: nobody else can hold its lock.
  if (!lock) throw new DatabaseUnavailableError(`verifier instance ${id} is locked by another session`);
  return { id, lost: lock.lost, release: () => lock.release() };
}
