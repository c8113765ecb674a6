/**
 * The release's generalization: a search of the whole generalization lattice (4 x 2 x 3 x 3 = 72
 * nodes, one level per quasi-identifier), as ARX's Flash does for larger lattices with pruning.
 * For each node it applies the release rules to the classes the node makes, counting rows (the
 * builder then enforces them on distinct patients, which can only suppress more):
 *
 *  1. in each class, a diagnosis category with at least k rows is kept; the other rows of a chapter
 *     are pooled and kept as the chapter when the pool has at least k rows; the rest is suppressed;
 *  2. a class is kept when its kept rows number at least k and show at least l distinct values.
 *
 * A node is admissible when it suppresses at most maxSuppressedRows. Among admissible nodes the
 * search picks the least information loss: the mean over rows and quasi-identifiers of the loss
 * metric (hierarchies.ts), a suppressed row counting as fully generalized (loss 1). Ties go to
 * fewer suppressed rows, then to lower levels. When no node is admissible, the least loss wins.
 *
 * Branch and bound: a node's loss is at least the loss of generalizing every row to it (suppressed
 * rows only add loss), which is cheap to compute, so nodes are visited by that bound and the
 * search stops when the bound passes the best loss found.
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
  readonly l: number;
  readonly maxSuppressedRows: number;
  /** Days in the release (the period's domain). */
  readonly releaseDays: number;
}

export interface NodeEvaluation {
  readonly levels: Levels;
  readonly suppressedRows: number;
  readonly releasedClasses: number;
  readonly loss: number;
}

export interface LatticeSearchResult {
  readonly best: NodeEvaluation;
  readonly totalRows: number;
  readonly nodesEvaluated: number;
  readonly nodesInLattice: number;
}

/** Per-entry component indices and losses at every level, computed once. */
interface Prepared {
  readonly n: number;
  readonly rows: Float64Array;
  readonly component: Int32Array[][];
  readonly loss: Float64Array[][];
  /** Dense id of the entry's category ("" included) and its chapter (0: cannot be pooled). */
  readonly diagnosis: Int32Array;
  readonly chapter: Int32Array;
  readonly diagnoses: number;
  readonly totalRows: number;
}

function prepare(classes: readonly QiClass[], releaseDays: number): Prepared {
  const n = classes.length;
  const rows = new Float64Array(n);
  const component: Int32Array[][] = LEVEL_COUNTS.map((count) =>
    Array.from({ length: count }, () => new Int32Array(n)),
  );
  const loss: Float64Array[][] = LEVEL_COUNTS.map((count) =>
    Array.from({ length: count }, () => new Float64Array(n)),
  );
  const diagnosis = new Int32Array(n);
  const chapter = new Int32Array(n);
  const labels = LEVEL_COUNTS.map(() => new Map<string, number>());
  const diagnosisIds = new Map<string, number>();
  const index = (map: Map<string, number>, label: string) => {
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
    diagnosis[i] = index(diagnosisIds, c.diagnosis);
    chapter[i] = c.diagnosis === "" ? 0 : c.chapter;
    for (let l = 0; l < LEVEL_COUNTS[0]; l++) {
      component[0]![l]![i] = index(labels[0]!, ageAt(c.ageBand, l));
      loss[0]![l]![i] = ageLoss(c.ageBand, l);
    }
    for (let l = 0; l < LEVEL_COUNTS[1]; l++) {
      component[1]![l]![i] = index(labels[1]!, sexAt(c.sex, l));
      loss[1]![l]![i] = sexLoss(l);
    }
    for (let l = 0; l < LEVEL_COUNTS[2]; l++) {
      const r = regionAt(c, l);
      component[2]![l]![i] = index(labels[2]!, `${r.stateCode}:${r.districtCode}`);
      loss[2]![l]![i] = regionLoss(c, l);
    }
    for (let l = 0; l < LEVEL_COUNTS[3]; l++) {
      component[3]![l]![i] = index(labels[3]!, periodAt(c.anchorDay, l));
      loss[3]![l]![i] = periodLoss(c.anchorDay, l, releaseDays);
    }
  });
  return { n, rows, component, loss, diagnosis, chapter, diagnoses: diagnosisIds.size, totalRows };
}

function allNodes(): Levels[] {
  const nodes: Levels[] = [];
  for (let a = 0; a < LEVEL_COUNTS[0]; a++)
    for (let s = 0; s < LEVEL_COUNTS[1]; s++)
      for (let r = 0; r < LEVEL_COUNTS[2]; r++)
        for (let p = 0; p < LEVEL_COUNTS[3]; p++) nodes.push([a, s, r, p]);
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

/** The equivalence class id of every entry at `levels`. */
function classesAt(p: Prepared, levels: Levels): { classOf: Int32Array; count: number } {
  const [age, sex, region, period] = [0, 1, 2, 3].map((q) => p.component[q]![levels[q]!]!) as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  const ids = new Map<number, number>();
  const classOf = new Int32Array(p.n);
  for (let i = 0; i < p.n; i++) {
    // Components are small dense indices: < 64 ages, < 8 sexes, < 2^17 regions, < 2^20 periods.
    const key = ((age[i]! * 8 + sex[i]!) * 131_072 + region[i]!) * 1_048_576 + period[i]!;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    classOf[i] = id;
  }
  return { classOf, count: ids.size };
}

/** Which entries the release rules keep at `levels`, and the number of released classes. */
function keptEntries(
  p: Prepared,
  levels: Levels,
  k: number,
  l: number,
): { kept: Uint8Array; releasedClasses: number } {
  const { classOf, count } = classesAt(p, levels);
  // 1. Rows per (class, category), then per (class, chapter) of the rows whose category is too rare.
  const D = p.diagnoses;
  const categoryRows = new Map<number, number>();
  for (let i = 0; i < p.n; i++) {
    const key = classOf[i]! * D + p.diagnosis[i]!;
    categoryRows.set(key, (categoryRows.get(key) ?? 0) + p.rows[i]!);
  }
  const value = new Int32Array(p.n).fill(-1);
  const chapterRows = new Map<number, number>();
  for (let i = 0; i < p.n; i++) {
    if (categoryRows.get(classOf[i]! * D + p.diagnosis[i]!)! >= k) value[i] = p.diagnosis[i]!;
    else if (p.chapter[i]! > 0) {
      const key = classOf[i]! * 64 + p.chapter[i]!;
      chapterRows.set(key, (chapterRows.get(key) ?? 0) + p.rows[i]!);
    }
  }
  for (let i = 0; i < p.n; i++) {
    if (value[i] === -1 && p.chapter[i]! > 0 && chapterRows.get(classOf[i]! * 64 + p.chapter[i]!)! >= k) {
      value[i] = D + p.chapter[i]!;
    }
  }
  // 2. Kept rows and distinct values per class.
  const classRows = new Float64Array(count);
  const classValues = new Int32Array(count);
  const seen = new Set<number>();
  for (let i = 0; i < p.n; i++) {
    if (value[i] === -1) continue;
    classRows[classOf[i]!]! += p.rows[i]!;
    const key = classOf[i]! * (D + 64) + value[i]!;
    if (!seen.has(key)) {
      seen.add(key);
      classValues[classOf[i]!]!++;
    }
  }
  const kept = new Uint8Array(p.n);
  let releasedClasses = 0;
  for (let c = 0; c < count; c++) if (classRows[c]! >= k && classValues[c]! >= l) releasedClasses++;
  for (let i = 0; i < p.n; i++) {
    const c = classOf[i]!;
    if (value[i] !== -1 && classRows[c]! >= k && classValues[c]! >= l) kept[i] = 1;
  }
  return { kept, releasedClasses };
}

function evaluate(p: Prepared, levels: Levels, k: number, l: number): NodeEvaluation {
  const { kept, releasedClasses } = keptEntries(p, levels, k, l);
  let suppressedRows = 0;
  let lossSum = 0;
  for (let i = 0; i < p.n; i++) {
    const rows = p.rows[i]!;
    if (!kept[i]) {
      suppressedRows += rows;
      lossSum += rows;
    } else {
      let loss = 0;
      for (let q = 0; q < 4; q++) loss += p.loss[q]![levels[q]!]![i]!;
      lossSum += (rows * loss) / 4;
    }
  }
  return {
    levels,
    suppressedRows,
    releasedClasses,
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
  const p = prepare(input.classes, input.releaseDays);
  const perQi = new Map<string, number>();
  const nodes = allNodes()
    .map((levels) => ({ levels, bound: generalizationLoss(p, levels, perQi) }))
    .sort((a, b) => a.bound - b.bound || levelSum(a.levels) - levelSum(b.levels));
  let best: NodeEvaluation | null = null;
  let fallback: NodeEvaluation | null = null;
  let evaluated = 0;
  for (const node of nodes) {
    if (best !== null && node.bound > best.loss) break;
    const result = evaluate(p, node.levels, input.k, input.l);
    evaluated++;
    if (fallback === null || better(result, fallback)) fallback = result;
    if (result.suppressedRows > input.maxSuppressedRows) continue;
    if (best === null || better(result, best)) best = result;
  }
  return {
    best: best ?? fallback!,
    totalRows: p.totalRows,
    nodesEvaluated: evaluated,
    nodesInLattice: nodes.length,
  };
}

/** The entries (indices of `classes`) the rules keep at `levels`, counting rows. */
export function keptAt(classes: readonly QiClass[], levels: Levels, k: number, l: number): Uint8Array {
  return keptEntries(prepare(classes, 7), levels, k, l).kept;
}
