/**
 * Publishing: each closed week (plus the lag) is cut once from the daily rollup, suppressed and
 * audited over all its tables and margins (suppress.ts), and written with its cells in one
 * transaction. Nothing is ever updated: a published week is frozen, and diagnoses recorded after
 * its cut appear only in noisy answers (graphql/analytics/noise).
 *
 * Periods and years are published when their last week is: a period or year cell is released
 * exactly when every week cell it sums was released (it is then their sum, which anyone could
 * compute), and suppressed otherwise. So a coarser node adds no equation an attacker did not
 * already have, the weeks stay independent of each other, and the audit of a week is complete
 * on its own (test/privacy checks this against one LP over all weeks, periods and years).
 *
 * Work grows linearly with the number of weeks, and per week with its cells; the audit's cost is
 * in its LP solves, which the week records (case_publication.audit).
 */
import type { Pool, PoolClient } from "pg";
import { ConfigError } from "../../../shared/errors.ts";
import type { Logger } from "../../../shared/logger.ts";
import {
  dueAt,
  nodesClosedBy,
  type PublicationSystem,
  type TimeNode,
  weekNode,
  weeksOf,
} from "./calendar.ts";
import { buildLattice, type CaseRow, type Lattice } from "./lattice.ts";
import { type SuppressionOutcome, suppressLattice } from "./suppress.ts";

export interface PublicationSettings {
  readonly system: PublicationSystem;
  /** Days after a week closes before it is published. */
  readonly lagDays: number;
}

export interface PublishedNode {
  readonly node: TimeNode;
  readonly cells: number;
  readonly suppressedCells: number;
  readonly durationMs: number;
  readonly outcome?: SuppressionOutcome;
}

const WEEK_ROWS = `SELECT state_code AS state, district_code AS district, diagnosis_category AS category,
       age_band AS "ageBand", sex::text AS sex, sum(count)::int AS count
  FROM case_count_daily
 WHERE day >= $1::date AND day <= $2::date
 GROUP BY 1, 2, 3, 4, 5
HAVING sum(count) > 0`;

/** The finest rows of one week, as the indexer's rollup has them now. */
export async function weekRows(db: Pool | PoolClient, week: TimeNode): Promise<CaseRow[]> {
  const { rows } = await db.query<CaseRow>(WEEK_ROWS, [week.firstDay, week.lastDay]);
  return rows;
}

interface CellRow {
  region: string;
  diagnosis: string;
  age: string;
  sex: string;
  count: number | null;
}

async function insertPublication(
  client: PoolClient,
  system: PublicationSystem,
  node: TimeNode,
  cells: readonly CellRow[],
  indexedThrough: Date | null,
  audit: unknown,
): Promise<void> {
  const suppressed = cells.filter((c) => c.count === null).length;
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO case_publication (system, level, label, first_day, last_day, indexed_through, cells, suppressed_cells, audit)
     VALUES ($1::week_system, $2, $3, $4::date, $5::date, $6, $7, $8, $9::jsonb) RETURNING id`,
    [
      system,
      node.level,
      node.label,
      node.firstDay,
      node.lastDay,
      indexedThrough,
      cells.length,
      suppressed,
      audit === null ? null : JSON.stringify(audit),
    ],
  );
  const id = rows[0]!.id;
  const chunk = 20_000;
  for (let i = 0; i < cells.length; i += chunk) {
    const part = cells.slice(i, i + chunk);
    await client.query(
      `INSERT INTO case_publication_cell (publication_id, level, first_day, region, diagnosis, age, sex, count)
       SELECT $1, $2, $3::date, r, d, a, s, n
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::int[]) AS u(r, d, a, s, n)`,
      [
        id,
        node.level,
        node.firstDay,
        part.map((c) => c.region),
        part.map((c) => c.diagnosis),
        part.map((c) => c.age),
        part.map((c) => c.sex),
        part.map((c) => c.count),
      ],
    );
  }
}

/** The released form of a suppressed lattice: every non-zero or suppressed cell. */
export function releasedCells(lattice: Lattice): CellRow[] {
  return [...lattice.cells.values()]
    .filter((c) => c.count > 0 || c.suppressed)
    .map((c) => ({
      region: c.region,
      diagnosis: c.diagnosis,
      age: c.age,
      sex: c.sex,
      count: c.suppressed ? null : c.count,
    }));
}

/** A period or year: the sum of its weeks' released cells, suppressed wherever a week's is. */
async function coarserCells(
  client: PoolClient,
  node: TimeNode,
  system: PublicationSystem,
): Promise<CellRow[]> {
  const weeks = weeksOf(node, system).map((w) => w.firstDay);
  const { rows } = await client.query<CellRow>(
    `SELECT region, diagnosis, age, sex, CASE WHEN bool_or(count IS NULL) THEN NULL ELSE sum(count)::int END AS count
       FROM case_publication_cell
      WHERE level = 'WEEK' AND first_day = ANY($1::date[])
      GROUP BY 1, 2, 3, 4`,
    [weeks],
  );
  return rows;
}

/** Publishes one week (and the period and year it completes), in one transaction. */
export async function publishWeek(
  pool: Pool,
  settings: PublicationSettings,
  week: TimeNode,
  indexedThrough: Date | null,
): Promise<PublishedNode[]> {
  const started = performance.now();
  const client = await pool.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    const rows = await weekRows(client, week);
    const lattice = buildLattice(rows);
    const outcome = await suppressLattice(lattice);
    const cells = releasedCells(lattice);
    const durationMs = Math.round(performance.now() - started);
    await insertPublication(client, settings.system, week, cells, indexedThrough, {
      rounds: outcome.rounds,
      primary: outcome.primary,
      lpSolves: outcome.lp.solves,
      components: outcome.lp.components,
      largestComponent: outcome.lp.largestComponent,
      durationMs,
    });
    const out: PublishedNode[] = [
      { node: week, cells: cells.length, suppressedCells: outcome.suppressed, durationMs, outcome },
    ];
    for (const node of nodesClosedBy(week, settings.system)) {
      const t = performance.now();
      const coarse = await coarserCells(client, node, settings.system);
      await insertPublication(client, settings.system, node, coarse, indexedThrough, null);
      out.push({
        node,
        cells: coarse.length,
        suppressedCells: coarse.filter((c) => c.count === null).length,
        durationMs: Math.round(performance.now() - t),
      });
    }
    await client.query("COMMIT");
    return out;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The chain time the index is known to be complete through: the time of the last finalized
 * block the indexer has (a later reorg cannot change what came before it). Null before indexing.
 */
export async function indexedThrough(pool: Pool): Promise<Date | null> {
  const { rows } = await pool.query<{ t: Date | null }>(
    `SELECT coalesce(
       (SELECT b.timestamp FROM chain_block b, indexer_state s
         WHERE b.number <= least(s.finalized_block, s.indexed_block) ORDER BY b.number DESC LIMIT 1),
       (SELECT max(e.time) FROM event_block e, indexer_state s
         WHERE e.number <= least(s.finalized_block, s.indexed_block))) AS t`,
  );
  return rows[0]?.t ?? null;
}

export interface PublishDueArgs {
  pool: Pool;
  settings: PublicationSettings;
  logger: Logger;
  /** Wall-clock now (injected in tests). */
  now: Date;
  /** The index's completeness time (default: indexedThrough(pool)). */
  indexed?: Date | null;
  /** Stop after this many weeks (the job resumes on its next run). */
  maxWeeks?: number;
  signal?: AbortSignal;
}

/** The weeks due and not yet published, oldest first: from the first week with a case. */
export async function dueWeeks(args: PublishDueArgs): Promise<TimeNode[]> {
  const { pool, settings, now } = args;
  const indexed = args.indexed === undefined ? await indexedThrough(pool) : args.indexed;
  if (indexed === null) return [];
  const { rows: other } = await pool.query<{ system: string }>(
    "SELECT system::text FROM case_publication WHERE system <> $1::week_system LIMIT 1",
    [settings.system],
  );
  if (other.length > 0) {
    throw new ConfigError(
      `this deployment has published ${other[0]!.system} weeks; it cannot switch to ${settings.system} (one week system per deployment, never both)`,
    );
  }
  const { rows } = await pool.query<{ first: string | null; last: string | null }>(
    `SELECT (SELECT to_char(min(day), 'YYYY-MM-DD') FROM case_count_daily) AS first,
            (SELECT to_char(max(first_day), 'YYYY-MM-DD') FROM case_publication WHERE level = 'WEEK') AS last`,
  );
  const first = rows[0]?.first;
  if (!first) return [];
  const last = rows[0]?.last;
  const out: TimeNode[] = [];
  let week = last
    ? weekNode(Date.parse(`${last}T00:00:00Z`) / 86_400_000 + 7, settings.system)
    : weekNode(first, settings.system);
  for (;;) {
    const due = dueAt(week, settings.lagDays);
    if (due > now || due > indexed) break;
    out.push(week);
    if (args.maxWeeks !== undefined && out.length >= args.maxWeeks) break;
    week = weekNode(Date.parse(`${week.lastDay}T00:00:00Z`) / 86_400_000 + 1, settings.system);
  }
  return out;
}

/** Publishes every due week, oldest first. The caller holds the publication lock. */
export async function publishDue(args: PublishDueArgs): Promise<PublishedNode[]> {
  const out: PublishedNode[] = [];
  const indexed = args.indexed === undefined ? await indexedThrough(args.pool) : args.indexed;
  for (const week of await dueWeeks({ ...args, indexed })) {
    if (args.signal?.aborted) break;
    const published = await publishWeek(args.pool, args.settings, week, indexed);
    for (const p of published) {
      args.logger.info(
        {
          level_name: p.node.level,
          label: p.node.label,
          cells: p.cells,
          suppressed_cells: p.suppressedCells,
          duration_ms: p.durationMs,
          ...(p.outcome ? { lp_solves: p.outcome.lp.solves, rounds: p.outcome.rounds } : {}),
        },
        "published",
      );
    }
    out.push(...published);
  }
  return out;
}
