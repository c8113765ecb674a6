/**
 * The file_verification table is the work queue. Rows due for work: status PENDING or
 * UNAVAILABLE, next_attempt_at reached, attempts below the maximum.
 *
 * - claim: one statement (its own short transaction) picks due rows with FOR UPDATE SKIP LOCKED,
 *   oldest next_attempt_at first, counts the attempt, pushes next_attempt_at forward by the
 *   lease and names the claiming instance (claimed_by). Other workers skip the rows. A worker
 *   that dies leaves them claimed by an instance whose advisory lock is gone (instance.ts): the
 *   next claim by anyone takes them over at once; the lease is only the last resort.
 * - record: VERIFIED and INVALID are final; UNAVAILABLE gets an exponential backoff until
 *   maxAttempts, then next_attempt_at is set to FAR_FUTURE for an operator to `requeue`. Each write
 *   is fenced by the lease (next_attempt_at as claimed): a worker whose lease ran out, or whose row
 *   was requeued meanwhile, writes nothing.
 * - requeue: operators put rows back to PENDING (by CID and/or status).
 *
 * Every call is a single statement: row locks live for milliseconds and never hold up the
 * indexer's transactions (which insert PENDING rows and NOTIFY VERIFY_CHANNEL).
 */
import type { QueryResult, QueryResultRow } from "pg";
import { VERIFY_CHANNEL } from "../../shared/db/channels.ts";
import { ValidationError } from "../../shared/errors.ts";
import { INSTANCE_LOCK_CLASS, lockHoldersSql } from "../ops/session-lock.ts";
import { type BackoffPolicy, backoffDelayMs } from "./backoff.ts";
import type { VerifyResult } from "./verify-cid.ts";

/** pg.Pool, pg.Client and pg.PoolClient all fit. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

export type VerificationStatus = "PENDING" | "VERIFIED" | "INVALID" | "UNAVAILABLE";

export const VERIFICATION_STATUSES: readonly VerificationStatus[] = [
  "PENDING",
  "VERIFIED",
  "INVALID",
  "UNAVAILABLE",
];

/** NOTIFY channel that wakes workers when rows are queued. */
export { VERIFY_CHANNEL };

/** next_attempt_at of rows that ran out of attempts: only `requeue` brings them back. */
export const FAR_FUTURE = "9999-12-31T00:00:00Z";

export interface ClaimedRow {
  cid: string;
  /** Attempts including this one. */
  attempts: number;
  /** next_attempt_at as set by the claim: the lease's expiry, and the fence for writing the result. */
  lease: string;
}

export interface ClaimOptions {
  limit: number;
  leaseMs: number;
  maxAttempts: number;
  /** The claiming worker's instance id (its lock is held while it lives). */
  instance: number;
}

export async function claimVerifications(db: Queryable, options: ClaimOptions): Promise<ClaimedRow[]> {
  const result = await db.query<{ cid: string; attempts: number; lease: string }>(
    // One branch per status, so each is an ordered index scan on (status, next_attempt_at) that
    // stops after `limit` rows; `status IN (...)` would sort every due row on each claim.
    // next_attempt_at is timestamptz(3): a row queued at now() is stored rounded to the
    // millisecond, up to 0.5 ms in the future; comparing against now() rounded the same way keeps
    // a row due from the instant it was queued (a NOTIFY'd worker would otherwise miss it).
    `WITH pending AS (
       SELECT cid, next_attempt_at FROM file_verification
       WHERE status = 'PENDING' AND next_attempt_at <= now()::timestamptz(3) AND attempts < $1
       ORDER BY next_attempt_at LIMIT $2
       FOR UPDATE SKIP LOCKED
     ), retry AS (
       SELECT cid, next_attempt_at FROM file_verification
       WHERE status = 'UNAVAILABLE' AND next_attempt_at <= now()::timestamptz(3) AND attempts < $1
       ORDER BY next_attempt_at LIMIT $2
       FOR UPDATE SKIP LOCKED
     ), orphaned AS (
       -- Leased, but to an instance whose lock is free: its worker died. (Expired leases are due
       -- above.) Few rows are claimed at any time: the claimed_by index finds them.
       SELECT cid, next_attempt_at FROM file_verification
       WHERE claimed_by IS NOT NULL AND claimed_by NOT IN (${lockHoldersSql("$5")})
         AND status IN ('PENDING', 'UNAVAILABLE') AND next_attempt_at > now()::timestamptz(3)
         AND attempts < $1
       ORDER BY next_attempt_at LIMIT $2
       FOR UPDATE SKIP LOCKED
     ), due AS (
       SELECT cid FROM (SELECT * FROM orphaned UNION ALL SELECT * FROM pending UNION ALL SELECT * FROM retry)
         AS candidates
       ORDER BY next_attempt_at LIMIT $2
     )
     UPDATE file_verification f
     SET attempts = f.attempts + 1,
         next_attempt_at = now() + make_interval(secs => $3::double precision / 1000),
         claimed_by = $4
     FROM due
     WHERE f.cid = due.cid
     RETURNING f.cid, f.attempts, f.next_attempt_at::text AS lease`,
    [options.maxAttempts, options.limit, options.leaseMs, options.instance, INSTANCE_LOCK_CLASS],
  );
  return result.rows;
}

export interface RecordOptions {
  maxAttempts: number;
  backoff: BackoffPolicy;
  random?: () => number;
}

export type RecordOutcome =
  | { recorded: false }
  | { recorded: true; status: "VERIFIED" | "INVALID" }
  | { recorded: true; status: "UNAVAILABLE"; exhausted: boolean; retryInMs: number | undefined };

/** Writes a verification result for a claimed row; `recorded: false` when the lease was lost. */
export async function recordVerification(
  db: Queryable,
  row: ClaimedRow,
  result: VerifyResult,
  options: RecordOptions,
): Promise<RecordOutcome> {
  const [outcome] = await recordVerifications(db, [{ row, result }], options);
  return outcome!;
}

export interface ResultToRecord {
  row: ClaimedRow;
  result: VerifyResult;
}

/**
 * Writes several results in one statement (outcomes in the same order). Each row is fenced by
 * its own lease, exactly as recordVerification does.
 */
export async function recordVerifications(
  db: Queryable,
  results: readonly ResultToRecord[],
  options: RecordOptions,
): Promise<RecordOutcome[]> {
  if (results.length === 0) return [];
  const planned = results.map(({ row, result }) => {
    if (result.status !== "UNAVAILABLE") return { exhausted: false, retryInMs: undefined };
    const exhausted = row.attempts >= options.maxAttempts;
    return {
      exhausted,
      retryInMs: exhausted ? undefined : backoffDelayMs(options.backoff, row.attempts, options.random),
    };
  });
  const updated = await db.query<{ cid: string }>(
    `UPDATE file_verification f
     SET status = v.status::verification_status,
         size_bytes = v.size_bytes,
         content_type = v.content_type,
         blocks = v.blocks,
         last_error = v.last_error,
         verified_at = CASE WHEN v.status = 'UNAVAILABLE' THEN f.verified_at ELSE now() END,
         next_attempt_at = CASE
           WHEN v.status <> 'UNAVAILABLE' THEN now()
           WHEN v.exhausted THEN $10::timestamptz
           ELSE now() + make_interval(secs => v.retry_ms / 1000) END,
         claimed_by = NULL
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::int[], $7::text[],
                 $8::boolean[], $9::double precision[])
          AS v(cid, lease, status, size_bytes, content_type, blocks, last_error, exhausted, retry_ms)
     WHERE f.cid = v.cid AND f.next_attempt_at = v.lease::timestamptz
       AND f.status IN ('PENDING', 'UNAVAILABLE')
     RETURNING f.cid`,
    [
      results.map((r) => r.row.cid),
      results.map((r) => r.row.lease),
      results.map((r) => r.result.status),
      results.map((r) => (r.result.status === "VERIFIED" ? r.result.sizeBytes : null)),
      results.map((r) => (r.result.status === "VERIFIED" ? r.result.contentType : null)),
      results.map((r) => (r.result.status === "VERIFIED" ? r.result.blocks : null)),
      results.map((r) => (r.result.status === "VERIFIED" ? null : r.result.reason)),
      planned.map((p) => p.exhausted),
      planned.map((p) => p.retryInMs ?? 0),
      FAR_FUTURE,
    ],
  );
  const written = new Set(updated.rows.map((r) => r.cid));
  return results.map(({ row, result }, i): RecordOutcome => {
    if (!written.has(row.cid)) return { recorded: false };
    if (result.status !== "UNAVAILABLE") return { recorded: true, status: result.status };
    return { recorded: true, status: "UNAVAILABLE", ...planned[i]! };
  });
}

/**
 * Gives a claimed row back untouched (the attempt is not counted, it is due at once): for work
 * abandoned by a stopping worker.
 */
export async function releaseVerification(db: Queryable, row: ClaimedRow): Promise<boolean> {
  const updated = await db.query(
    `UPDATE file_verification SET attempts = greatest(attempts - 1, 0), next_attempt_at = now(), claimed_by = NULL
     WHERE cid = $1 AND next_attempt_at = $2::timestamptz AND status IN ('PENDING', 'UNAVAILABLE')`,
    [row.cid, row.lease],
  );
  return updated.rowCount === 1;
}

export interface RequeueFilter {
  cid?: string;
  status?: VerificationStatus | readonly VerificationStatus[];
}

/**
 * Puts matching rows back to PENDING with no attempts, due now, and wakes the workers. Result
 * fields are cleared; last_error is kept until the next result. At least one filter is required.
 * A row being verified right now is verified again; the earlier run's result is then discarded.
 * Returns the number of rows requeued.
 */
export async function requeue(db: Queryable, filter: RequeueFilter): Promise<number> {
  const statuses = filter.status === undefined ? undefined : [filter.status].flat();
  if (filter.cid === undefined && statuses === undefined) {
    throw new ValidationError("requeue needs a CID or a status (or both)");
  }
  for (const status of statuses ?? []) {
    if (!VERIFICATION_STATUSES.includes(status)) {
      throw new ValidationError(
        `unknown verification status "${status}", expected one of ${VERIFICATION_STATUSES.join(", ")}`,
      );
    }
  }
  const updated = await db.query(
    `UPDATE file_verification
     SET status = 'PENDING', attempts = 0, next_attempt_at = now(), claimed_by = NULL,
         size_bytes = NULL, content_type = NULL, blocks = NULL, verified_at = NULL
     WHERE ($1::text IS NULL OR cid = $1) AND ($2::verification_status[] IS NULL OR status = ANY($2))`,
    [filter.cid ?? null, statuses ?? null],
  );
  const count = updated.rowCount ?? 0;
  if (count > 0) await notifyVerificationQueue(db);
  return count;
}

/** Wakes listening workers; call inside the transaction that queues rows (delivered on commit). */
export async function notifyVerificationQueue(db: Queryable): Promise<void> {
  await db.query("SELECT pg_notify($1, '')", [VERIFY_CHANNEL]);
}

export interface QueueCounts {
  /** PENDING rows with attempts left (including rows leased right now). */
  pending: number;
  /** UNAVAILABLE rows that will be retried. */
  retrying: number;
  /** PENDING or UNAVAILABLE rows out of attempts, waiting for an operator (a PENDING one had its
   * last attempt's worker die). */
  exhausted: number;
  /** Rows a worker could claim now. */
  due: number;
}

export async function countQueue(db: Queryable, maxAttempts: number): Promise<QueueCounts> {
  const result = await db.query<QueueCounts>(
    `SELECT count(*) FILTER (WHERE status = 'PENDING' AND attempts < $1)::int AS pending,
            count(*) FILTER (WHERE status = 'UNAVAILABLE' AND attempts < $1)::int AS retrying,
            count(*) FILTER (WHERE attempts >= $1)::int AS exhausted,
            count(*) FILTER (WHERE attempts < $1 AND next_attempt_at <= now()::timestamptz(3))::int AS due
     FROM file_verification
     WHERE status IN ('PENDING', 'UNAVAILABLE')`,
    [maxAttempts],
  );
  return result.rows[0]!;
}
