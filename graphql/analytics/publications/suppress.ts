/**
 * Suppression of one week's lattice (lattice.ts), planned over every table and margin at once and
 * proven by the LP audit (lp.ts) against the protection rule (protection.ts):
 *
 *  1. primary: every count from 1 to 10 is suppressed;
 *  2. lines: in each line (a total and its parts) either nothing is suppressed, or the total is
 *     suppressed with at least one part, or at least two parts are suppressed whose sum is at
 *     least 11; otherwise the smallest released non-zero part is suppressed too (or, when none is
 *     left, the total): a cheap first pass that the audit would otherwise have to drive;
 *  3. audit and repair: the LP bounds of every suppressed sensitive cell are checked against
 *     everything released; a cell that fails gets a further complement (the nearest line that
 *     still has a released non-zero cell gives its smallest one), then 2 and 3 again. Suppressing
 *     a cell only removes an equation, so bounds only widen: a cell proven once stays proven, and
 *     each round re-checks only what failed or changed.
 *
 * District cells are solved in closed form instead of by LP ("aggregating cells no table
 * distinguishes"): a district × category cell lies in exactly one line, its state × category
 * total T. With R the total minus its released districts, the suppressed districts of a released
 * T each range over [0, R] when at least two are suppressed (one alone would be R exactly); under
 * a suppressed T they range over [0, hi(T) - released] (or follow T exactly when alone). So a
 * released T needs two suppressed districts and R >= the rule's upper target of each sensitive
 * one; a suppressed T carries its districts' targets, shifted by the released ones, into the LP.
 * The LP itself then only holds state- and national-level cells.
 *
 * Deterministic: lines and cells are visited in key order. Terminates: every round suppresses at
 * least one more cell, and with every cell suppressed nothing is bounded.
 */
import { MIN_CELL_COUNT } from "../disclosure/policy.ts";
import type { Lattice, LatticeCell, Line } from "./lattice.ts";
import { certify, type Equation, type LinearSystem, type LpStats, type Target } from "./lp.ts";
import { isSensitive, lowerTarget, upperTarget } from "./protection.ts";

export interface SuppressionOutcome {
  readonly cells: number;
  readonly suppressed: number;
  readonly primary: number;
  readonly rounds: number;
  readonly lp: LpStats;
}

const isDistrict = (c: LatticeCell) => c.region.startsWith("D:");
const isDistrictLine = (l: Line) => l.members.length > 0 && isDistrict(l.members[0]!);

/**
 * The attacker's system over the suppressed cells: one equation per line that has any. `core`
 * leaves out the district cells and their lines (solved in closed form, see above).
 */
export function systemOf(lattice: Lattice, core = false): { system: LinearSystem; unknowns: LatticeCell[] } {
  const unknowns = [...lattice.cells.values()].filter((c) => c.suppressed && !(core && isDistrict(c)));
  const index = new Map(unknowns.map((c, i) => [c, i]));
  const equations: Equation[] = [];
  for (const line of lattice.lines) {
    if (core && isDistrictLine(line)) continue;
    const terms: [number, number][] = [];
    let rhs = 0;
    const t = index.get(line.total);
    if (t === undefined) rhs += line.total.count;
    else terms.push([t, -1]);
    for (const m of line.members) {
      const i = index.get(m);
      if (i === undefined) rhs -= m.count;
      else terms.push([i, 1]);
    }
    if (terms.length > 0) equations.push({ terms, rhs });
  }
  return { system: { unknowns: unknowns.length, equations }, unknowns };
}

type Need = "none" | "unknown" | "count";

function needOf(line: Line): Need {
  let suppressed = 0;
  let sum = 0;
  for (const m of line.members) {
    if (m.suppressed) {
      suppressed++;
      sum += m.count;
    }
  }
  if (line.total.suppressed) return suppressed >= 1 || line.members.length === 0 ? "none" : "unknown";
  if (suppressed === 0) return "none";
  if (sum < MIN_CELL_COUNT) return "count";
  return suppressed >= 2 ? "none" : "unknown";
}

function smallestReleased(cells: readonly LatticeCell[], except?: LatticeCell): LatticeCell | null {
  let best: LatticeCell | null = null;
  for (const c of cells) {
    if (c === except || c.suppressed || c.count === 0) continue;
    if (best === null || c.count < best.count || (c.count === best.count && c.key < best.key)) best = c;
  }
  return best;
}

function complementIn(line: Line, except?: LatticeCell): LatticeCell | null {
  const member = smallestReleased(line.members, except);
  if (member) return member;
  return !line.total.suppressed && line.total !== except ? line.total : null;
}

function enforceLines(lattice: Lattice): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const line of lattice.lines) {
      while (needOf(line) !== "none") {
        const cell = complementIn(line);
        if (!cell) break;
        cell.suppressed = true;
        changed = true;
      }
    }
  }
}

/**
 * Gives a failing cell more room: among the nearest lines (its own first, then those of the
 * suppressed cells it is tied to, breadth first) that still have a released non-zero cell, the
 * smallest such cell is suppressed (a part before a total, fewer suppressed in its line first).
 */
function repair(cell: LatticeCell): boolean {
  const suppressedIn = (l: Line) =>
    (l.total.suppressed ? 1 : 0) + l.members.filter((m) => m.suppressed).length;
  const seenCells = new Set([cell]);
  const seenLines = new Set<Line>();
  let frontier = [cell];
  while (frontier.length > 0) {
    const lines = frontier
      .flatMap((c) => [...c.memberOf, ...c.totalOf])
      .filter((l) => !seenLines.has(l) && seenLines.add(l));
    let best: { cell: LatticeCell; total: boolean; room: number; key: string } | null = null;
    for (const line of lines) {
      const complement = complementIn(line, cell);
      if (!complement) continue;
      const candidate = {
        cell: complement,
        total: complement === line.total,
        room: suppressedIn(line),
        key: complement.key,
      };
      const better =
        best === null ||
        Number(candidate.total) - Number(best.total) < 0 ||
        (candidate.total === best.total &&
          (candidate.cell.count < best.cell.count ||
            (candidate.cell.count === best.cell.count &&
              (candidate.room < best.room || (candidate.room === best.room && candidate.key < best.key)))));
      if (better) best = candidate;
    }
    if (best) {
      best.cell.suppressed = true;
      return true;
    }
    const next: LatticeCell[] = [];
    for (const line of lines)
      for (const c of [line.total, ...line.members])
        if (c.suppressed && !seenCells.has(c)) {
          seenCells.add(c);
          next.push(c);
        }
    frontier = next;
  }
  return false;
}

export class SuppressionError extends Error {}

/** The smallest released district of a released total whose districts fall short of the rule. */
function districtShortfall(line: Line): LatticeCell | "total" | null {
  if (line.total.suppressed) return null;
  const suppressed = line.members.filter((m) => m.suppressed);
  const sensitive = suppressed.filter((m) => isSensitive(m.count));
  if (sensitive.length === 0) return null;
  const room = suppressed.reduce((a, m) => a + m.count, 0);
  const need = Math.max(...sensitive.map((m) => upperTarget(m.count)));
  if (suppressed.length >= 2 && room >= need - 1e-9) return null;
  return smallestReleased(line.members) ?? "total";
}

function enforceDistricts(lattice: Lattice): boolean {
  let changed = false;
  for (const line of lattice.lines) {
    if (!isDistrictLine(line)) continue;
    for (let cell = districtShortfall(line); cell !== null; cell = districtShortfall(line)) {
      (cell === "total" ? line.total : cell).suppressed = true;
      changed = true;
    }
  }
  return changed;
}

interface CellTarget {
  up: number | undefined;
  down: number | undefined;
}

/** What the LP must prove for each core cell: its own rule, and its districts' (suppressed total). */
function coreTargets(lattice: Lattice): Map<LatticeCell, CellTarget> {
  const out = new Map<LatticeCell, CellTarget>();
  const raise = (cell: LatticeCell, up: number | undefined, down: number | undefined) => {
    const t = out.get(cell) ?? { up: undefined, down: undefined };
    if (up !== undefined) t.up = Math.max(t.up ?? 0, up);
    if (down !== undefined) t.down = Math.min(t.down ?? Number.POSITIVE_INFINITY, down);
    out.set(cell, t);
  };
  for (const cell of lattice.cells.values()) {
    if (cell.suppressed && !isDistrict(cell) && isSensitive(cell.count)) {
      raise(cell, upperTarget(cell.count), lowerTarget(cell.count));
    }
  }
  for (const line of lattice.lines) {
    if (!isDistrictLine(line) || !line.total.suppressed) continue;
    const suppressed = line.members.filter((m) => m.suppressed);
    const released = line.members.reduce((a, m) => a + (m.suppressed ? 0 : m.count), 0);
    for (const d of suppressed) {
      if (!isSensitive(d.count)) continue;
      const alone = suppressed.length === 1;
      raise(line.total, upperTarget(d.count) + released, alone ? lowerTarget(d.count) + released : undefined);
    }
  }
  return out;
}

export async function suppressLattice(lattice: Lattice, maxRounds = 200): Promise<SuppressionOutcome> {
  let primary = 0;
  for (const cell of lattice.cells.values()) {
    if (isSensitive(cell.count)) {
      cell.suppressed = true;
      primary++;
    }
  }
  const settle = () => {
    do enforceLines(lattice);
    while (enforceDistricts(lattice));
  };
  settle();
  const lp: LpStats = { solves: 0, components: 0, largestComponent: 0 };
  const proven = new Map<LatticeCell, CellTarget>();
  let rounds = 0;
  for (;;) {
    const { system, unknowns } = systemOf(lattice, true);
    const index = new Map(unknowns.map((c, i) => [c, i]));
    const targets: Target[] = [];
    for (const [cell, t] of coreTargets(lattice)) {
      const p = proven.get(cell);
      const up = p?.up !== undefined && t.up !== undefined && p.up >= t.up ? undefined : t.up;
      const down = p?.down !== undefined && t.down !== undefined && p.down <= t.down ? undefined : t.down;
      if (up === undefined && down === undefined) continue;
      targets.push({
        unknown: index.get(cell)!,
        ...(up !== undefined ? { up } : {}),
        ...(down !== undefined ? { down } : {}),
      });
    }
    if (targets.length === 0) break;
    rounds++;
    if (rounds > maxRounds) throw new SuppressionError(`suppression did not converge in ${maxRounds} rounds`);
    const truth = unknowns.map((c) => c.count);
    const failed = await certify(system, targets, lp, truth);
    const failedCells = new Set(failed.map((t) => unknowns[t.unknown]!));
    for (const t of targets) {
      const cell = unknowns[t.unknown]!;
      if (failedCells.has(cell)) continue;
      const p = proven.get(cell) ?? { up: undefined, down: undefined };
      if (t.up !== undefined) p.up = Math.max(p.up ?? 0, t.up);
      if (t.down !== undefined) p.down = Math.min(p.down ?? Number.POSITIVE_INFINITY, t.down);
      proven.set(cell, p);
    }
    if (failedCells.size === 0) break;
    let progressed = false;
    for (const cell of failedCells) progressed = repair(cell) || progressed;
    if (!progressed) {
      throw new SuppressionError(
        `${failedCells.size} suppressed cells stay narrower than the protection rule and no cell is left to suppress`,
      );
    }
    settle();
  }
  const all = [...lattice.cells.values()];
  return {
    cells: all.length,
    suppressed: all.filter((c) => c.suppressed).length,
    primary,
    rounds,
    lp,
  };
}
