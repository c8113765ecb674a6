/**
 * Reads of the chain-derived tables go to a read replica (READ_DATABASE_URL: a PostgreSQL hot
 * standby fed by streaming replication); everything else, and every write, to the primary:
 * sessions (a session just created is used at once), nonces, the audit log, datasets, rate limits.
 *
 * The replica is usable while it answers and its replay is at most READ_REPLICA_MAX_LAG_BYTES of WAL
 * behind the primary (pg_last_wal_replay_lsn() against pg_current_wal_lsn()), checked every
 * READ_REPLICA_CHECK_MS. While it is not (down, or too far behind), reads go to the primary, and
 * with READ_REPLICA_FALLBACK=unready (the default) /ready answers 503 so that a load balancer moves
 * traffic to API instances whose replica is fine; with `primary` the API stays ready. A read that
 * fails on the replica because it went away is retried once on the primary, and the replica is
 * marked down at once.
 */
import type pg from "pg";
import type { QueryResult, QueryResultRow } from "pg";
import { DatabaseUnavailableError } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { Queryable } from "./data/sql.ts";
import { databaseFailureOf } from "./errors.ts";
import type { ApiMetrics } from "./metrics.ts";

export type ReplicaState = "none" | "ok" | "lagging" | "down";

export interface ReplicaStatus {
  state: ReplicaState;
  /** Where reads go now. */
  readsFrom: "replica" | "primary";
  /** WAL bytes the replica's replay is behind the primary (null when unknown). */
  lagBytes: number | null;
  maxLagBytes: number;
  checkedAt: string | null;
  error?: string;
}

export interface ReadRouter {
  /** Reads of chain-derived tables: the replica while it is usable, else the primary. */
  readonly pool: Queryable;
  status(): ReplicaStatus;
  /** Checks the replica now (also run every READ_REPLICA_CHECK_MS). */
  check(): Promise<ReplicaStatus>;
  close(): Promise<void>;
}

export interface ReadRouterArgs {
  primary: pg.Pool;
  /** The replica's pool; none: every read goes to the primary. */
  replica: pg.Pool | null;
  maxLagBytes: number;
  checkIntervalMs: number;
  metrics: ApiMetrics;
  logger: Logger;
}

/** A log sequence number ("16/B374D848") as a number of bytes. */
export function lsnBytes(lsn: string): bigint {
  const [high, low] = lsn.split("/") as [string, string];
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

export function createReadRouter(args: ReadRouterArgs): ReadRouter {
  const { primary, replica, metrics, logger } = args;
  let status: ReplicaStatus = {
    state: replica ? "down" : "none",
    readsFrom: "primary",
    lagBytes: null,
    maxLagBytes: args.maxLagBytes,
    checkedAt: null,
  };
  const publish = (next: ReplicaStatus) => {
    if (next.state !== status.state) {
      const log = next.state === "ok" || next.state === "none" ? logger.info : logger.warn;
      log.call(
        logger,
        {
          replica_state: next.state,
          lag_bytes: next.lagBytes,
          reads_from: next.readsFrom,
          error: next.error,
        },
        "read replica state changed",
      );
    }
    status = next;
    metrics.replicaUp.set(next.state === "ok" ? 1 : 0);
    if (next.lagBytes !== null) metrics.replicaLagBytes.set(next.lagBytes);
  };

  /** A replica that stopped answering (a network partition) must not hold a check forever. */
  const queryTimeout = Math.max(1_000, Math.min(5_000, args.checkIntervalMs * 5));
  let running: Promise<ReplicaStatus> | undefined;
  const check = (): Promise<ReplicaStatus> => {
    running ??= runCheck().finally(() => {
      running = undefined;
    });
    return running;
  };
  const runCheck = async (): Promise<ReplicaStatus> => {
    if (!replica) return status;
    const checkedAt = new Date().toISOString();
    try {
      const [{ rows: theirs }, { rows: ours }] = await Promise.all([
        replica.query<{ standby: boolean; replayed: string | null }>({
          text: "SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed",
          query_timeout: queryTimeout,
        } as pg.QueryConfig),
        primary.query<{ current: string }>({
          text: "SELECT pg_current_wal_lsn()::text AS current",
          query_timeout: queryTimeout,
        } as pg.QueryConfig),
      ]);
      const replayed = theirs[0]?.replayed ?? null;
      // Not a standby (the primary itself, say): nothing to lag behind.
      const lag =
        theirs[0]?.standby && replayed ? Number(lsnBytes(ours[0]!.current) - lsnBytes(replayed)) : 0;
      const lagBytes = Math.max(0, lag);
      const ok = lagBytes <= args.maxLagBytes;
      publish({
        state: ok ? "ok" : "lagging",
        readsFrom: ok ? "replica" : "primary",
        lagBytes,
        maxLagBytes: args.maxLagBytes,
        checkedAt,
      });
    } catch (error) {
      publish({
        state: "down",
        readsFrom: "primary",
        lagBytes: null,
        maxLagBytes: args.maxLagBytes,
        checkedAt,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return status;
  };

  let timer: NodeJS.Timeout | undefined;
  if (replica) {
    timer = setInterval(() => {
      check().catch(() => undefined);
    }, args.checkIntervalMs);
    timer.unref();
  }

  const pool: Queryable = {
    query: (async (config: unknown, values?: unknown) => {
      const target = replica && status.readsFrom === "replica" ? replica : null;
      const run = (p: pg.Pool) =>
        (p.query as (c: unknown, v?: unknown) => Promise<QueryResult<QueryResultRow>>).call(
          p,
          config,
          values,
        );
      if (!target) {
        metrics.reads.inc({ target: "primary" });
        return run(primary);
      }
      try {
        const result = await run(target);
        metrics.reads.inc({ target: "replica" });
        return result;
      } catch (error) {
        if (!(databaseFailureOf(error) instanceof DatabaseUnavailableError)) throw error;
        // The replica went away under this read: mark it down and read from the primary.
        publish({
          ...status,
          state: "down",
          readsFrom: "primary",
          error: error instanceof Error ? error.message : String(error),
        });
        metrics.reads.inc({ target: "primary" });
        return run(primary);
      }
    }) as Queryable["query"],
  };

  return {
    pool,
    status: () => status,
    check,
    /** Stops the checks (the pools are the caller's to end). */
    async close() {
      clearInterval(timer);
    },
  };
}
