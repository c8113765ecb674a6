/**
 * The protection rule every publication is audited against (lp-audit.ts), stated once.
 *
 * A count from 1 to MIN_CELL_COUNT - 1 (1..10) is *sensitive*. No sensitive count is released,
 * and for each one that is suppressed, the interval an attacker can derive from everything ever
 * published (the linear-programming bounds [lo, hi] of the cell, given every released cell of every
 * table and margin, and that counts are not negative) must satisfy
 *
 *   hi >= max(11, 1.5 × count)   and   lo <= 0.5 × count,
 *
 * i.e. the attacker can neither tell that the cell is a small count (the interval reaches 11) nor
 * pin it within ±50 %. Cells suppressed as complements (counts of 11 or more, or zeros) are not
 * sensitive themselves: they only need to keep the sensitive ones wide.
 */
import { MIN_CELL_COUNT } from "../disclosure/policy.ts";

export const PROTECTION_RULE =
  `No count from 1 to ${MIN_CELL_COUNT - 1} is published. For every suppressed count c from 1 to ${MIN_CELL_COUNT - 1}, ` +
  `the feasible interval [lo, hi] that linear programming derives from everything published so far ` +
  `(every table, margin and week, all counts non-negative) has hi >= max(${MIN_CELL_COUNT}, 1.5c) and lo <= 0.5c.`;

export const isSensitive = (count: number): boolean => count > 0 && count < MIN_CELL_COUNT;

/** The bound the attacker's upper limit must reach. */
export const upperTarget = (count: number): number => Math.max(MIN_CELL_COUNT, 1.5 * count);
/** The bound the attacker's lower limit must reach. */
export const lowerTarget = (count: number): number => 0.5 * count;

const EPS = 1e-6;

export function isProtected(count: number, lo: number, hi: number): boolean {
  if (!isSensitive(count)) return true;
  return hi >= upperTarget(count) - EPS && lo <= lowerTarget(count) + EPS;
}
