/**
 * Small-cell suppression with complementary suppression, on a hierarchical cube (cube.ts).
 *
 * Primary: every cell of 1..threshold-1 is suppressed. Zeros are released as a rule (absence
 * discloses nobody), except the few that complementary suppression hides (below): a suppressed
 * cell may hold any count, 0 included.
 *
 * Complementary: a line (total = sum of members) is safe when
 *  - neither its total nor any member is suppressed; or
 *  - its total is suppressed and so is at least one member (one equation, two unknowns); or
 *  - its total is released and at least two members are suppressed whose sum (which anyone can
 *    compute as total - released members) is at least the threshold: one suppressed member would
 *    be recovered exactly, and two summing to, say, 7 disclose a group of 7.
 * An unsafe line that needs more suppressed *count* gets its smallest non-zero released member
 * suppressed; one that only needs a second *unknown* (its one suppressed member is >= threshold)
 * gets a zero member suppressed, the cheapest loss. Members "pinned" by another line (everything
 * else in that line is a released zero and its total is released, so their value is public) are
 * avoided; when nothing else is left, the line's total is suppressed.
 *
 * Complements are members, preferably of the finest cells, so margins are mostly suppressed as the
 * coarser table alone would be; that is not guaranteed (zeros, fallbacks and the audit differ per
 * table), so differencing across releases is left to the noise option and the release log.
 * Feasible: a released total is at least the threshold, so suppressing all its non-zero members
 * always makes their sum enough.
 *
 * Then a linear audit (linear-audit.ts) checks the pattern against an attacker solving all the
 * table's equations at once; each recoverable cell gets a further unknown in one of its lines, and
 * the lines are enforced again, until nothing is recoverable.
 */
import {
  addZeroCell,
  type Cube,
  type CubeCell,
  cellKey,
  compareCells,
  compareCoords,
  type Line,
  lineKey,
} from "./cube.ts";
import { findDeterminedCells } from "./linear-audit.ts";

export interface SuppressionResult {
  primary: number;
  complementary: number;
  /** Totals suppressed by the fallback (a line with nothing else left): their coarser tables may differ. */
  totalsSuppressed: number;
  /** True when the linear audit covered every suppressed cell and found none recoverable. */
  auditComplete: boolean;
  auditRounds: number;
}

export interface SuppressionOptions {
  /** Largest block of linked suppressed cells the linear audit reduces (linear-audit.ts). */
  auditMaxBlock?: number;
  /** Rounds of audit and repair before giving up (the result then says auditComplete: false). */
  auditMaxRounds?: number;
}

export const DEFAULT_AUDIT_MAX_BLOCK = 400;

export function isPrimarySuppressed(count: number, threshold: number): boolean {
  return count > 0 && count < threshold;
}

export function applyPrimarySuppression(cube: Cube, threshold: number): number {
  let primary = 0;
  for (const cell of cube.cells.values()) {
    if (isPrimarySuppressed(cell.count, threshold)) {
      cell.suppressed = true;
      primary++;
    }
  }
  return primary;
}

/** What an unsafe line lacks: another suppressed cell of any value, or more suppressed count. */
type Need = "none" | "unknown" | "count";

function needOf(line: Line, threshold: number): Need {
  let suppressed = 0;
  let sum = 0;
  let nonZero = 0;
  for (const m of line.members) {
    if (m.count !== 0) nonZero++;
    if (m.suppressed) {
      suppressed++;
      sum += m.count;
    }
  }
  if (line.total.suppressed) return suppressed >= 1 || nonZero === 0 ? "none" : "unknown";
  if (suppressed === 0) return "none";
  if (sum < threshold) return "count";
  return suppressed >= 2 ? "none" : "unknown";
}

export const isLineSafe = (line: Line, threshold: number): boolean => needOf(line, threshold) === "none";

/** Public whatever we do: in some line of it, every other member is a released zero and the total is released. */
function isPinned(cell: CubeCell): boolean {
  return cell.lines.some(
    (line) =>
      !line.total.suppressed && line.members.every((m) => m === cell || (m.count === 0 && !m.suppressed)),
  );
}

/**
 * Zero members of the line worth suppressing: finest cells only (a zero margin is the sum of zeros
 * everyone knows), not pinned: every other line through the cell has a non-zero or suppressed total.
 */
function zeroCandidates(cube: Cube, line: Line): string[][] {
  if (!line.members.some((m) => m.detail)) return [];
  const siblings = cube.children[line.dim]!.get(line.total.coords[line.dim]!) ?? [];
  const out: string[][] = [];
  for (const value of siblings) {
    const coords = line.total.coords.slice();
    coords[line.dim] = value;
    const cell = cube.cells.get(cellKey(coords));
    if (cell) {
      if (cell.count === 0 && !cell.suppressed && !isPinned(cell)) out.push(coords);
      continue;
    }
    let pinned = false;
    for (let e = 0; e < coords.length && !pinned; e++) {
      if (e === line.dim) continue;
      const parent = cube.dimensions[e]!.parentOf(coords[e]!);
      if (parent === null) continue;
      const totalCoords = coords.slice();
      totalCoords[e] = parent;
      const total = cube.cells.get(cellKey(totalCoords));
      pinned = total === undefined || (total.count === 0 && !total.suppressed);
    }
    if (!pinned) out.push(coords);
  }
  return out.sort(compareCoords);
}

function smallestNonZero(line: Line): CubeCell | null {
  let best: CubeCell | null = null;
  let bestPinned = true;
  for (const member of line.members) {
    if (member.suppressed || member.count === 0) continue;
    const pinned = isPinned(member);
    const better =
      best === null ||
      (bestPinned && !pinned) ||
      (bestPinned === pinned &&
        (member.count < best.count || (member.count === best.count && compareCells(member, best) < 0)));
    if (better) {
      best = member;
      bestPinned = pinned;
    }
  }
  return best;
}

function chooseComplement(cube: Cube, line: Line, need: Need): CubeCell | null {
  if (need === "unknown") {
    const zero = zeroCandidates(cube, line)[0];
    if (zero) return addZeroCell(cube, zero, line.members[0]?.detail ?? false);
  }
  const member = smallestNonZero(line);
  if (member) return member;
  return line.total.suppressed ? null : line.total;
}

interface Counters {
  complementary: number;
  totalsSuppressed: number;
}

function suppress(cell: CubeCell, line: Line, counters: Counters): void {
  if (cell === line.total) counters.totalsSuppressed++;
  cell.suppressed = true;
  counters.complementary++;
}

/** Makes every line safe; returns whether anything changed. */
function enforceLines(cube: Cube, threshold: number, counters: Counters): void {
  let changed = true;
  while (changed) {
    changed = false;
    // Lines appended while iterating (around new zero cells) are visited in the same pass.
    for (let i = 0; i < cube.lines.length; i++) {
      const line = cube.lines[i]!;
      for (let need = needOf(line, threshold); need !== "none"; need = needOf(line, threshold)) {
        const complement = chooseComplement(cube, line, need);
        if (complement === null) break;
        suppress(complement, line, counters);
        changed = true;
      }
    }
  }
}

/**
 * Gives a recoverable cell a further unknown: in one of its lines, preferring lines of finest
 * cells (so margins stay as the coarser tables have them), then the least suppressed.
 */
function repair(cube: Cube, cell: CubeCell, counters: Counters): void {
  const lines = [...cell.lines];
  for (let d = 0; d < cube.dimensions.length; d++) {
    const asTotal = cube.lineByKey.get(lineKey(d, cell.coords));
    if (asTotal) lines.push(asTotal);
  }
  const coarse = (l: Line) => (l.members.some((m) => m.detail) ? 0 : 1);
  const suppressedIn = (l: Line) => [l.total, ...l.members].filter((c) => c.suppressed).length;
  lines.sort(
    (a, b) =>
      coarse(a) - coarse(b) ||
      suppressedIn(a) - suppressedIn(b) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  for (const line of lines) {
    const complement = chooseComplement(cube, line, "unknown");
    if (complement !== null) {
      suppress(complement, line, counters);
      return;
    }
  }
}

/**
 * Primary suppression, complementary suppression line by line, then rounds of linear audit and
 * repair until no suppressed cell is recoverable from all the totals together. Deterministic:
 * lines are visited in canonical order.
 */
export function suppressCube(
  cube: Cube,
  threshold: number,
  options: SuppressionOptions = {},
): SuppressionResult {
  const maxBlock = options.auditMaxBlock ?? DEFAULT_AUDIT_MAX_BLOCK;
  const maxRounds = options.auditMaxRounds ?? 50;
  const primary = applyPrimarySuppression(cube, threshold);
  const counters: Counters = { complementary: 0, totalsSuppressed: 0 };
  enforceLines(cube, threshold, counters);
  let audit = findDeterminedCells(cube, maxBlock);
  let rounds = 0;
  while (audit.determined.length > 0 && rounds < maxRounds) {
    rounds++;
    for (const cell of audit.determined) repair(cube, cell, counters);
    enforceLines(cube, threshold, counters);
    audit = findDeterminedCells(cube, maxBlock);
  }
  return {
    primary,
    ...counters,
    auditComplete: audit.complete && audit.determined.length === 0,
    auditRounds: rounds,
  };
}
