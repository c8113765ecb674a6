/**
 * Audit of a suppression pattern against an attacker who combines every released total at once:
 * the line equations (total = sum of members) restricted to the suppressed cells form a linear
 * system, and a suppressed cell x_i is exactly recoverable when the unit vector e_i lies in its row
 * space. In reduced row echelon form that is: column i is a pivot and its row has no other non-zero
 * entry. The system splits into independent blocks (suppressed cells linked by shared lines),
 * each reduced separately, modulo a prime below 2^26 (coefficients are 0 and +-1; products stay
 * exact in doubles).
 *
 * Blocks above `maxBlock` unknowns are not audited (the caller reports it); per-line protection
 * (complementary-suppression.ts) holds for them regardless.
 */
import type { Cube, CubeCell, Line } from "./cube.ts";

const P = 67_108_859;

export interface AuditResult {
  readonly determined: CubeCell[];
  /** False when some block was too large to audit. */
  readonly complete: boolean;
}

function inverse(a: number): number {
  // Fermat: a^(P-2) mod P, by square-and-multiply on exact products (< 2^52).
  let result = 1;
  let base = a % P;
  let e = P - 2;
  while (e > 0) {
    if (e & 1) result = (result * base) % P;
    base = (base * base) % P;
    e = Math.floor(e / 2);
  }
  return result;
}

function find(parent: Int32Array, i: number): number {
  let root = i;
  while (parent[root] !== root) root = parent[root]!;
  while (parent[i] !== root) {
    const next = parent[i]!;
    parent[i] = root;
    i = next;
  }
  return root;
}

/** Which of the block's unknowns (local indices) the rows determine. */
function determinedInBlock(rows: number[][], n: number): number[] {
  const pivotRows: { col: number; row: number[] }[] = [];
  for (const original of rows) {
    const row = original.slice();
    for (const p of pivotRows) {
      const f = row[p.col]!;
      if (f !== 0) for (let j = 0; j < n; j++) row[j] = (((row[j]! - f * p.row[j]!) % P) + P) % P;
    }
    const col = row.findIndex((v) => v !== 0);
    if (col === -1) continue;
    const inv = inverse(row[col]!);
    for (let j = 0; j < n; j++) row[j] = (row[j]! * inv) % P;
    for (const p of pivotRows) {
      const f = p.row[col]!;
      if (f !== 0) for (let j = 0; j < n; j++) p.row[j] = (((p.row[j]! - f * row[j]!) % P) + P) % P;
    }
    pivotRows.push({ col, row });
  }
  const out: number[] = [];
  for (const p of pivotRows) {
    let alone = true;
    for (let j = 0; j < n && alone; j++) if (j !== p.col && p.row[j] !== 0) alone = false;
    if (alone) out.push(p.col);
  }
  return out;
}

export function findDeterminedCells(cube: Cube, maxBlock: number): AuditResult {
  const unknown = [...cube.cells.values()].filter((c) => c.suppressed);
  const index = new Map(unknown.map((c, i) => [c.key, i]));
  const parent = Int32Array.from(unknown, (_, i) => i);
  const lines: { line: Line; vars: number[] }[] = [];
  for (const line of cube.lines) {
    const vars: number[] = [];
    for (const cell of [line.total, ...line.members]) {
      const i = index.get(cell.key);
      if (i !== undefined) vars.push(i);
    }
    if (vars.length === 0) continue;
    lines.push({ line, vars });
    for (const v of vars.slice(1)) parent[find(parent, v)] = find(parent, vars[0]!);
  }
  const blocks = new Map<number, { vars: number[]; lines: typeof lines }>();
  unknown.forEach((_, i) => {
    const root = find(parent, i);
    const block = blocks.get(root);
    if (block) block.vars.push(i);
    else blocks.set(root, { vars: [i], lines: [] });
  });
  for (const entry of lines) blocks.get(find(parent, entry.vars[0]!))!.lines.push(entry);

  const determined: CubeCell[] = [];
  let complete = true;
  for (const block of blocks.values()) {
    if (block.vars.length > maxBlock) {
      complete = false;
      continue;
    }
    const local = new Map(block.vars.map((v, j) => [v, j]));
    const rows = block.lines.map(({ line }) => {
      const row = new Array<number>(block.vars.length).fill(0);
      const add = (cell: CubeCell, coefficient: number) => {
        const v = index.get(cell.key);
        if (v === undefined) return;
        const j = local.get(v)!;
        row[j] = (row[j]! + coefficient + P) % P;
      };
      add(line.total, -1);
      for (const m of line.members) add(m, 1);
      return row;
    });
    for (const j of determinedInBlock(rows, block.vars.length)) determined.push(unknown[block.vars[j]!]!);
  }
  return { determined, complete };
}
