/**
 * A released table as a hierarchical cube: every combination of the dimensions' tree nodes,
 * from the finest values the query asked for up to each dimension's total. A cell at a coarser
 * node is the sum of its children, so every (parent, children) pair along one dimension, the
 * other coordinates fixed, is an additive "line": total = sum of members. Suppression works on
 * these lines (complementary-suppression.ts).
 *
 * Cells with a count are built up front; zero cells exist implicitly (a line's members range over
 * every child its parent has anywhere in the table) and are materialized only when suppression
 * needs one (addZeroCell).
 *
 * Node keys are absolute ("STATE:27", "AGE_10:30-39", TOTAL), never positions, so the same cell
 * has the same key in every query that contains it.
 */
import { CubeDefinitionError, TableTooLargeError } from "./errors.ts";

/** The node above every top-level value of a dimension that has a total. */
export const TOTAL = "*";

export interface CubeDimension {
  readonly name: string;
  /** The parent of a node (TOTAL above the top level when the dimension has a total), or null. */
  parentOf(node: string): string | null;
}

export interface DetailCell {
  /** One leaf node key per dimension, in the cube's dimension order. */
  readonly coords: readonly string[];
  readonly count: number;
}

export interface CubeCell {
  readonly key: string;
  readonly coords: readonly string[];
  /** True for the cells the query asked for (every coordinate a leaf). */
  readonly detail: boolean;
  count: number;
  suppressed: boolean;
  /** The lines this cell is a member of (not those it is the total of). */
  readonly lines: Line[];
}

/** total = sum(members): the members differ from the total only in dimension `dim`. */
export interface Line {
  readonly key: string;
  readonly dim: number;
  readonly total: CubeCell;
  readonly members: CubeCell[];
}

export interface Cube {
  readonly dimensions: readonly CubeDimension[];
  readonly cells: Map<string, CubeCell>;
  /** In canonical order; lines created later (around materialized zero cells) are appended. */
  readonly lines: Line[];
  readonly lineByKey: Map<string, Line>;
  /** Per dimension: the children each parent node has anywhere in the table, sorted. */
  readonly children: readonly Map<string, string[]>[];
}

export { TableTooLargeError };

const SEP = "\u001f";
export const cellKey = (coords: readonly string[]): string => coords.join(SEP);
export const lineKey = (dim: number, totalCoords: readonly string[]): string =>
  `${dim}${SEP}${cellKey(totalCoords)}`;

/** The node chain of a leaf: the leaf, its parent, ... up to the top (TOTAL if there is one). */
function chainOf(dim: CubeDimension, leaf: string): string[] {
  const chain = [leaf];
  for (let node = dim.parentOf(leaf); node !== null; node = dim.parentOf(node)) {
    chain.push(node);
    if (chain.length > 16) throw new CubeDefinitionError(`dimension ${dim.name} has a cycle above ${leaf}`);
  }
  return chain;
}

/** Adds every ancestor combination of each detail cell. Throws TableTooLargeError past maxCells. */
export function buildCube(
  dimensions: readonly CubeDimension[],
  details: readonly DetailCell[],
  maxCells: number,
): Cube {
  const cells = new Map<string, CubeCell>();
  const chainCache = dimensions.map(() => new Map<string, string[]>());
  const chains: string[][] = new Array(dimensions.length);
  for (const detail of details) {
    if (detail.coords.length !== dimensions.length) {
      throw new CubeDefinitionError(
        `a detail cell has ${detail.coords.length} coordinates for ${dimensions.length} dimensions`,
      );
    }
    if (detail.count === 0) continue;
    for (let d = 0; d < dimensions.length; d++) {
      const leaf = detail.coords[d]!;
      const cache = chainCache[d]!;
      let chain = cache.get(leaf);
      if (chain === undefined) {
        chain = chainOf(dimensions[d]!, leaf);
        cache.set(leaf, chain);
      }
      chains[d] = chain;
    }
    addCombinations(cells, chains, detail.count, maxCells);
  }
  const cube: Cube = {
    dimensions,
    cells,
    lines: [],
    lineByKey: new Map(),
    children: dimensions.map(() => new Map()),
  };
  indexLines(cube);
  return cube;
}

function addCombinations(
  cells: Map<string, CubeCell>,
  chains: readonly string[][],
  count: number,
  maxCells: number,
): void {
  const n = chains.length;
  const index = new Array<number>(n).fill(0);
  const coords = new Array<string>(n);
  for (;;) {
    let detail = true;
    for (let d = 0; d < n; d++) {
      coords[d] = chains[d]![index[d]!]!;
      if (index[d] !== 0) detail = false;
    }
    const key = coords.join(SEP);
    const cell = cells.get(key);
    if (cell) cell.count += count;
    else {
      if (cells.size >= maxCells) {
        throw new TableTooLargeError(
          `the table would have more than ${maxCells} cells with its totals: group by fewer or coarser dimensions, or narrow the filters`,
        );
      }
      cells.set(key, { key, coords: coords.slice(), detail, count, suppressed: false, lines: [] });
    }
    let d = 0;
    while (d < n && index[d] === chains[d]!.length - 1) index[d++] = 0;
    if (d === n) return;
    index[d]!++;
  }
}

function indexLines(cube: Cube): void {
  const children = cube.dimensions.map(() => new Map<string, Set<string>>());
  const parents = cube.dimensions.map(() => new Map<string, string | null>());
  const parentOf = (d: number, node: string): string | null => {
    const memo = parents[d]!;
    let parent = memo.get(node);
    if (parent === undefined) {
      parent = cube.dimensions[d]!.parentOf(node);
      memo.set(node, parent);
    }
    return parent;
  };
  for (const cell of cube.cells.values()) {
    for (let d = 0; d < cube.dimensions.length; d++) {
      const parent = parentOf(d, cell.coords[d]!);
      if (parent === null) continue;
      const set = children[d]!.get(parent);
      if (set) set.add(cell.coords[d]!);
      else children[d]!.set(parent, new Set([cell.coords[d]!]));
      const totalCoords = cell.coords.slice();
      totalCoords[d] = parent;
      const key = lineKey(d, totalCoords);
      let line = cube.lineByKey.get(key);
      if (!line) {
        const total = cube.cells.get(cellKey(totalCoords));
        if (!total)
          throw new CubeDefinitionError(`cell ${cell.key} has no total along ${cube.dimensions[d]!.name}`);
        line = { key, dim: d, total, members: [] };
        cube.lineByKey.set(key, line);
      }
      line.members.push(cell);
      cell.lines.push(line);
    }
  }
  children.forEach((map, d) => {
    for (const [parent, set] of map) cube.children[d]!.set(parent, [...set].sort());
  });
  const sorted = [...cube.lineByKey.values()];
  for (const line of sorted) line.members.sort(compareCells);
  sorted.sort((a, b) => compareCoords(a.total.coords, b.total.coords) || a.dim - b.dim);
  cube.lines.push(...sorted);
}

/**
 * Materializes a zero cell (and any missing zero totals above it) and links it into its lines.
 * `detail` says whether it sits at the finest level, like the siblings it was made beside.
 */
export function addZeroCell(cube: Cube, coords: readonly string[], detail: boolean): CubeCell {
  const key = cellKey(coords);
  const existing = cube.cells.get(key);
  if (existing) return existing;
  const cell: CubeCell = { key, coords, detail, count: 0, suppressed: false, lines: [] };
  cube.cells.set(key, cell);
  for (let d = 0; d < cube.dimensions.length; d++) {
    const parent = cube.dimensions[d]!.parentOf(coords[d]!);
    if (parent === null) continue;
    const totalCoords = coords.slice();
    totalCoords[d] = parent;
    const lk = lineKey(d, totalCoords);
    let line = cube.lineByKey.get(lk);
    if (!line) {
      const total = cube.cells.get(cellKey(totalCoords)) ?? addZeroCell(cube, totalCoords, false);
      line = { key: lk, dim: d, total, members: [] };
      cube.lineByKey.set(lk, line);
      cube.lines.push(line);
    }
    line.members.push(cell);
    cell.lines.push(line);
  }
  return cell;
}

/** Component-wise order of coordinates: canonical, and unchanged by adding a dimension fixed at one node. */
export function compareCoords(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export const compareCells = (a: CubeCell, b: CubeCell): number => compareCoords(a.coords, b.coords);
