/**
 * k-anonymity by full-domain generalization and class suppression: a search of the whole
 * generalization lattice (4 x 2 x 3 x 5 = 120 nodes, one level per quasi-identifier), as ARX's
 * Flash does for larger lattices with pruning. For each node, the classes of fewer than k rows are
 * suppressed; a node is admissible when it suppresses at most maxSuppressedRows. Among admissible
 * nodes the search picks the least information loss: the mean over rows and quasi-identifiers of
 * the loss metric (hierarchies.ts), a suppressed row counting as fully generalized (loss 1).
 * Ties go to fewer suppressed rows, then to lower levels.
 *
 * Branch and bound: a node's loss is at least the loss of generalizing every row to it (suppressed
 * rows only add loss), which is cheap to compute, so nodes are visited by that bound and the
 * search stops when the bound reaches the best loss found.
 *
 * Rows are counted here; the builder then checks distinct patients per class as well (a patient's
 * treatments are linkable through the pseudonym) and suppresses any class that falls short.
 */
import {
  ageAt,
  ageLoss,
  LEVEL_COUNTS,
  type Levels,
  periodAt,
  periodLoss,
  type QiClass,
  regionAt,
  regionLoss,
  sexAt,
  sexLoss,
} from "./hierarchies.ts";

export interface LatticeSearchInput {
  readonly classes: readonly QiClass[];
  readonly k: number;
  readonly maxSuppressedRows: number;
  /** The finest level each quasi-identifier may be released at. */
  readonly minLevels: Levels;
  /** Days in the dataset's date range (the period's domain). */
  readonly rangeDays: number;
}

export interface NodeEvaluation {
  readonly levels: Levels;
  readonly suppressedRows: number;
  readonly suppressedClasses: number;
  readonly releasedClasses: number;
  /** Smallest released class (rows); null when everything is suppressed. */
  readonly minClassSize: number | null;
  readonly loss: number;
}

export interface LatticeSearchResult {
  readonly best: NodeEvaluation;
  readonly totalRows: number;
  readonly nodesEvaluated: number;
  readonly nodesInLattice: number;
}

/** Per-class component indices and losses at every level, computed once. */
interface Prepared {
  readonly n: number;
  readonly rows: Float64Array;
  readonly component: Int32Array[][];
  readonly loss: Float64Array[][];
  readonly totalRows: number;
}

function prepare(classes: readonly QiClass[], rangeDays: number): Prepared {
  const n = classes.length;
  const rows = new Float64Array(n);
  const component: Int32Array[][] = LEVEL_COUNTS.map((count) =>
    Array.from({ length: count }, () => new Int32Array(n)),
  );
  const loss: Float64Array[][] = LEVEL_COUNTS.map((count) =>
    Array.from({ length: count }, () => new Float64Array(n)),
  );
  const labels = LEVEL_COUNTS.map(() => new Map<string, number>());
  const index = (qi: number, label: string) => {
    const map = labels[qi]!;
    let i = map.get(label);
    if (i === undefined) {
      i = map.size;
      map.set(label, i);
    }
    return i;
  };
  let totalRows = 0;
  classes.forEach((c, i) => {
    rows[i] = c.rows;
    totalRows += c.rows;
    for (let l = 0; l < LEVEL_COUNTS[0]; l++) {
      component[0]![l]![i] = index(0, ageAt(c.ageBand, l));
      loss[0]![l]![i] = ageLoss(c.ageBand, l);
    }
    for (let l = 0; l < LEVEL_COUNTS[1]; l++) {
      component[1]![l]![i] = index(1, sexAt(c.sex, l));
      loss[1]![l]![i] = sexLoss(l);
    }
    for (let l = 0; l < LEVEL_COUNTS[2]; l++) {
      const r = regionAt(c, l);
      component[2]![l]![i] = index(2, `${r.stateCode}:${r.districtCode}`);
      loss[2]![l]![i] = regionLoss(c, l);
    }
    for (let l = 0; l < LEVEL_COUNTS[3]; l++) {
      component[3]![l]![i] = index(3, periodAt(c.anchorDay, l));
      loss[3]![l]![i] = periodLoss(c.anchorDay, l, rangeDays);
    }
  });
  return { n, rows, component, loss, totalRows };
}

function allNodes(minLevels: Levels): Levels[] {
  const nodes: Levels[] = [];
  for (let a = minLevels[0]; a < LEVEL_COUNTS[0]; a++)
    for (let s = minLevels[1]; s < LEVEL_COUNTS[1]; s++)
      for (let r = minLevels[2]; r < LEVEL_COUNTS[2]; r++)
        for (let p = minLevels[3]; p < LEVEL_COUNTS[3]; p++) nodes.push([a, s, r, p]);
  return nodes;
}

/** The loss if every row were kept and generalized to `levels`: a lower bound of the node's loss. */
function generalizationLoss(p: Prepared, levels: Levels, perQi: Map<string, number>): number {
  let sum = 0;
  for (let q = 0; q < 4; q++) {
    const key = `${q}:${levels[q]}`;
    let mean = perQi.get(key);
    if (mean === undefined) {
      const loss = p.loss[q]![levels[q]!]!;
      let s = 0;
      for (let i = 0; i < p.n; i++) s += loss[i]! * p.rows[i]!;
      mean = p.totalRows === 0 ? 0 : s / p.totalRows;
      perQi.set(key, mean);
    }
    sum += mean;
  }
  return sum / 4;
}

/** The equivalence class id of every base class at `levels`, and each class's size in rows. */
function classesAt(p: Prepared, levels: Levels): { classOf: Int32Array; sizes: number[] } {
  const [age, sex, region, period] = [0, 1, 2, 3].map((q) => p.component[q]![levels[q]!]!) as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  const ids = new Map<number, number>();
  const classOf = new Int32Array(p.n);
  const sizes: number[] = [];
  for (let i = 0; i < p.n; i++) {
    // Components are small dense indices: < 64 ages, < 8 sexes, < 2^17 regions, < 2^20 periods.
    const key = ((age[i]! * 8 + sex[i]!) * 131_072 + region[i]!) * 1_048_576 + period[i]!;
    let id = ids.get(key);
    if (id === undefined) {
      id = sizes.length;
      ids.set(key, id);
      sizes.push(0);
    }
    classOf[i] = id;
    sizes[id]! += p.rows[i]!;
  }
  return { classOf, sizes };
}

function evaluate(p: Prepared, levels: Levels, k: number): NodeEvaluation {
  const { classOf, sizes } = classesAt(p, levels);
  let suppressedRows = 0;
  let lossSum = 0;
  for (let i = 0; i < p.n; i++) {
    const rows = p.rows[i]!;
    if (sizes[classOf[i]!]! < k) {
      suppressedRows += rows;
      lossSum += rows;
    } else {
      let l = 0;
      for (let q = 0; q < 4; q++) l += p.loss[q]![levels[q]!]![i]!;
      lossSum += (rows * l) / 4;
    }
  }
  let suppressedClasses = 0;
  let minClassSize: number | null = null;
  for (const size of sizes) {
    if (size < k) suppressedClasses++;
    else if (minClassSize === null || size < minClassSize) minClassSize = size;
  }
  return {
    levels,
    suppressedRows,
    suppressedClasses,
    releasedClasses: sizes.length - suppressedClasses,
    minClassSize,
    loss: p.totalRows === 0 ? 0 : lossSum / p.totalRows,
  };
}

const levelSum = (l: Levels) => l[0] + l[1] + l[2] + l[3];

function better(a: NodeEvaluation, b: NodeEvaluation): boolean {
  if (a.loss !== b.loss) return a.loss < b.loss;
  if (a.suppressedRows !== b.suppressedRows) return a.suppressedRows < b.suppressedRows;
  if (levelSum(a.levels) !== levelSum(b.levels)) return levelSum(a.levels) < levelSum(b.levels);
  for (let q = 0; q < 4; q++) if (a.levels[q] !== b.levels[q]) return a.levels[q]! < b.levels[q]!;
  return false;
}

export function searchLattice(input: LatticeSearchInput): LatticeSearchResult {
  const p = prepare(input.classes, input.rangeDays);
  const perQi = new Map<string, number>();
  const nodes = allNodes(input.minLevels)
    .map((levels) => ({ levels, bound: generalizationLoss(p, levels, perQi) }))
    .sort((a, b) => a.bound - b.bound || levelSum(a.levels) - levelSum(b.levels));
  const top: Levels = [LEVEL_COUNTS[0] - 1, LEVEL_COUNTS[1] - 1, LEVEL_COUNTS[2] - 1, LEVEL_COUNTS[3] - 1];
  let best: NodeEvaluation | null = null;
  let evaluated = 0;
  for (const node of nodes) {
    if (best !== null && node.bound > best.loss) break;
    const result = evaluate(p, node.levels, input.k);
    evaluated++;
    if (result.suppressedRows > input.maxSuppressedRows) continue;
    if (best === null || better(result, best)) best = result;
  }
  // The top node always puts every row in one class: admissible unless there are fewer than k rows,
  // in which case everything is suppressed whatever the levels.
  if (best === null) {
    best = evaluate(p, top, input.k);
    evaluated++;
  }
  return { best, totalRows: p.totalRows, nodesEvaluated: evaluated, nodesInLattice: nodes.length };
}

/** The information loss of a release where base class i is kept iff kept(i) (suppressed rows count 1). */
export function lossOfRelease(
  classes: readonly QiClass[],
  levels: Levels,
  rangeDays: number,
  kept: (index: number) => boolean,
): number {
  const p = prepare(classes, rangeDays);
  let lossSum = 0;
  for (let i = 0; i < p.n; i++) {
    if (!kept(i)) {
      lossSum += p.rows[i]!;
      continue;
    }
    let l = 0;
    for (let q = 0; q < 4; q++) l += p.loss[q]![levels[q]!]![i]!;
    lossSum += (p.rows[i]! * l) / 4;
  }
  return p.totalRows === 0 ? 0 : lossSum / p.totalRows;
}
