/**
 * `cutDueReleases(ctx)`: cuts every release that is due, oldest first, each in a transaction of
 * its own, under the PostgreSQL advisory lock RELEASE_LOCK so that API replicas never cut the same
 * period twice (and the unique period start refuses it anyway). The API's release job
 * (release-job.ts, on the shared scheduler) takes that lock itself and calls
 * `cutDueReleasesLocked`.
 *
 * A period is due once its end plus the configured lag lies at or before the finalized chain:
 * the time of the finalized block (or of the last indexed event block at or below it). Treatments
 * belong to the period they were opened in, and an opening's time is its block's, so by then every
 * member of the release sits in a finalized block: no reorg the indexer accepts can add or remove
 * one (a reorg past finality stops the indexer). Later events about those treatments (a discharge,
 * a revised diagnosis, a verified file) are not added: a release is frozen once cut.
 *
 * Releases never overlap: the next period starts after the last release's end. After a change of
 * the period kind, the first period is the first whole new one after the last release. A closed
 * period without any treatment is skipped (no empty release).
 */
import type { Pool, PoolClient } from "pg";
import { classifyDatabaseError } from "../../../shared/errors.ts";
import type { Logger } from "../../../shared/logger.ts";
import { epochDayOf, IST_OFFSET_MINUTES, toEpochDay } from "../../../shared/reference/weeks.ts";
import { withAdvisoryLock } from "../schedule/periodic-job.ts";
import { cutRelease, type GroupAudit, type ReleaseSummary } from "./cut-release.ts";
import {
  dayString,
  nextPeriod,
  periodClosesAt,
  periodContaining,
  type ReleasePeriod,
  type ReleasePeriodKind,
} from "./periods.ts";

export interface ReleaseSchedule {
  /** The period each release covers. */
  readonly period: ReleasePeriodKind;
  /** Days after a period's end before it is cut, for late events about its treatments. */
  readonly lagDays: number;
}

export interface CutContext {
  readonly pool: Pool;
  readonly logger: Logger;
  /** The server secret the release pseudonym keys derive from. */
  readonly secret: Uint8Array;
  readonly schedule: ReleaseSchedule;
  /** The audit against what is already published (cut-release.ts's GroupAudit), if any. */
  readonly audit?: GroupAudit;
}

export interface CutOutcome {
  /** False when another process held the lock (it is cutting). */
  readonly locked: boolean;
  readonly cut: readonly ReleaseSummary[];
}

/** Advisory lock of the release cutter (schedule/periodic-job.ts's withAdvisoryLock). */
export const RELEASE_LOCK = "doctel:dataset-releases";

interface ChainState {
  indexed_block: string;
  indexed_block_hash: string;
  finalized_block: string;
  final_time: number | null;
}

/** The next period to cut if it is due, read in the transaction's snapshot. */
async function duePeriod(
  client: PoolClient,
  schedule: ReleaseSchedule,
): Promise<{ period: ReleasePeriod; chain: ChainState } | null> {
  const { rows: chain } = await client.query<ChainState>(
    `SELECT s.indexed_block::text, s.indexed_block_hash, s.finalized_block::text,
            extract(epoch FROM greatest(
              (SELECT c.timestamp FROM chain_block c WHERE c.number = s.finalized_block),
              (SELECT e.time FROM event_block e WHERE e.number <= s.finalized_block ORDER BY e.number DESC LIMIT 1)
            ))::float8 AS final_time
       FROM indexer_state s ORDER BY s.id LIMIT 1`,
  );
  const state = chain[0];
  if (!state || state.final_time === null) return null;
  const { rows } = await client.query<{ last_end: string | null; first_opened: number | null }>(
    `SELECT (SELECT max(period_end)::text FROM dataset_release) AS last_end,
            (SELECT extract(epoch FROM min(opened_at))::float8 FROM treatment) AS first_opened`,
  );
  const lastEnd = rows[0]?.last_end ? toEpochDay(rows[0].last_end) : null;
  let period: ReleasePeriod;
  if (lastEnd !== null) {
    period = periodContaining(schedule.period, lastEnd + 1);
    if (period.start <= lastEnd) period = nextPeriod(period);
  } else {
    const first = rows[0]?.first_opened;
    if (first === null || first === undefined) return null;
    period = periodContaining(schedule.period, epochDayOf(first, IST_OFFSET_MINUTES));
  }
  // Periods without a treatment are skipped, not released empty: the next is tried.
  for (;;) {
    if (periodClosesAt(period) + schedule.lagDays * 86_400 > state.final_time) return null;
    const { rows: any } = await client.query<{ found: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM treatment
                       WHERE opened_at >= ($1::date - interval '330 minutes') AT TIME ZONE 'UTC'
                         AND opened_at < ($2::date + 1 - interval '330 minutes') AT TIME ZONE 'UTC') AS found`,
      [dayString(period.start), dayString(period.end)],
    );
    if (any[0]?.found) return { period, chain: state };
    period = nextPeriod(period);
  }
}

/** Cuts what is due if no other session is cutting (`locked: false` then, nothing cut). */
export async function cutDueReleases(ctx: CutContext): Promise<CutOutcome> {
  const outcome = await withAdvisoryLock(ctx.pool, RELEASE_LOCK, () => cutDueReleasesLocked(ctx));
  return outcome.locked ? { locked: true, cut: outcome.value } : { locked: false, cut: [] };
}

/** Cuts every due release, oldest first, until none is due or `signal` aborts. The caller holds RELEASE_LOCK. */
export async function cutDueReleasesLocked(ctx: CutContext, signal?: AbortSignal): Promise<ReleaseSummary[]> {
  let client: PoolClient;
  try {
    client = await ctx.pool.connect();
  } catch (error) {
    throw classifyDatabaseError(error, "connecting to cut dataset releases");
  }
  let broken: unknown;
  const cut: ReleaseSummary[] = [];
  try {
    while (!signal?.aborted) {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      try {
        const due = await duePeriod(client, ctx.schedule);
        if (!due) {
          await client.query("ROLLBACK");
          break;
        }
        const started = performance.now();
        const summary = await cutRelease(client, {
          period: due.period,
          secret: ctx.secret,
          ...(ctx.audit ? { audit: ctx.audit } : {}),
          snapshot: {
            indexedBlock: due.chain.indexed_block,
            indexedBlockHash: due.chain.indexed_block_hash,
            finalizedBlock: due.chain.finalized_block,
          },
        });
        await client.query("COMMIT");
        cut.push(summary);
        ctx.logger.info(
          {
            release_id: summary.id,
            period: summary.period,
            rows: summary.rowCount,
            classes: summary.classCount,
            suppressed_rows_rounded: summary.suppressedRowsRounded,
            levels: summary.levels,
            snapshot_block: due.chain.indexed_block,
            duration_ms: Math.round(performance.now() - started),
          },
          "dataset release cut",
        );
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    }
    return cut;
  } catch (error) {
    broken = error;
    throw classifyDatabaseError(error, "cutting a dataset release");
  } finally {
    client.release(broken !== undefined);
  }
}
