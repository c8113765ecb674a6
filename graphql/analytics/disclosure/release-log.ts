/**
 * The release log (analytics_release): every aggregate table, trend release and dataset is
 * recorded before it is returned, with the epsilon it spent. Per-viewer privacy accounting sums
 * the epsilons of a rolling window; with a budget, a release that would exceed it is refused.
 * For noisy releases the check and the insert hold a per-viewer advisory lock, so concurrent
 * requests cannot both slip under the budget.
 */
import type { Pool } from "pg";
import { PrivacyBudgetError } from "./errors.ts";

export type ReleaseKind = "CASE_COUNTS" | "CASE_TRENDS" | "DATASET";

export interface ReleaseRecord {
  readonly id: string;
  readonly requestId: string;
  readonly viewer: string;
  readonly kind: ReleaseKind;
  readonly params: unknown;
  readonly mechanism: string;
  readonly epsilon: number | null;
  readonly sensitivity: number | null;
  readonly cells: number;
  readonly suppressedCells: number;
}

export interface EpsilonBudget {
  /** Total epsilon a viewer may spend within the window. */
  readonly epsilon: number;
  readonly windowDays: number;
}

export interface PrivacyAccount {
  /** Epsilon spent by the viewer in the window, this release included. */
  readonly spentEpsilon: number;
  readonly windowDays: number;
  readonly budgetEpsilon: number | null;
}

export { PrivacyBudgetError };

export const DEFAULT_WINDOW_DAYS = 30;

const INSERT = `INSERT INTO analytics_release (id, request_id, viewer, kind, params, mechanism, epsilon, sensitivity, cells, suppressed_cells)
  VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10)`;

/** Epsilon the viewer spent in the window: noisy releases only, through the (viewer, epsilon, at) index. */
const SPENT = `SELECT coalesce(sum(epsilon), 0)::float8 AS spent FROM analytics_release
  WHERE viewer = $1 AND epsilon IS NOT NULL AND at > now() - make_interval(days => $2)`;

const values = (r: ReleaseRecord) => [
  r.id,
  r.requestId,
  r.viewer,
  r.kind,
  JSON.stringify(r.params),
  r.mechanism,
  r.epsilon,
  r.sensitivity,
  r.cells,
  r.suppressedCells,
];

/**
 * Records a release. Suppression-only releases (no epsilon) are one statement: they cannot exceed
 * a budget, so they take no lock and never wait for each other.
 */
export async function recordRelease(
  pool: Pool,
  r: ReleaseRecord,
  budget: EpsilonBudget | null,
): Promise<PrivacyAccount> {
  const windowDays = budget?.windowDays ?? DEFAULT_WINDOW_DAYS;
  if (r.epsilon === null) {
    const { rows } = await pool.query<{ spent: number }>(
      `WITH recorded AS (${INSERT} RETURNING 1)
       SELECT coalesce(sum(epsilon), 0)::float8 AS spent FROM analytics_release
        WHERE viewer = $3 AND epsilon IS NOT NULL AND at > now() - make_interval(days => $11)`,
      [...values(r), windowDays],
    );
    return { spentEpsilon: rows[0]?.spent ?? 0, windowDays, budgetEpsilon: budget?.epsilon ?? null };
  }
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext('analytics_release:' || $1))", [r.viewer]);
    const { rows } = await client.query<{ spent: number }>(SPENT, [r.viewer, windowDays]);
    const spent = (rows[0]?.spent ?? 0) + r.epsilon;
    if (budget && spent > budget.epsilon + 1e-9) {
      throw new PrivacyBudgetError(
        `this release (epsilon ${r.epsilon}) would bring your privacy spending to ${spent.toFixed(3)} over ${windowDays} days; the budget is ${budget.epsilon}`,
      );
    }
    await client.query(INSERT, values(r));
    await client.query("COMMIT");
    return { spentEpsilon: spent, windowDays, budgetEpsilon: budget?.epsilon ?? null };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
