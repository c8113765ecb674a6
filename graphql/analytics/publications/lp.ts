/**
 * Linear-programming bounds on unknown counts, with HiGHS (compiled to WebAssembly, npm `highs`).
 *
 * A system is a set of non-negative unknowns and equations Σ coef·x = rhs: what an attacker knows
 * about the suppressed cells from every released one. `bounds` gives one unknown's feasible interval
 * (two LPs). `certify` checks many unknowns against targets, cheaply first and exactly in the end:
 *
 *  1. local proofs: with the true counts known (the publisher knows them), fix every unknown
 *     farther than r equations from the target at its true value and solve the small LP that is
 *     left. Fixing unknowns only shrinks the feasible set, so a target reached there is reached in
 *     the full system: a sound proof, for r = 1, 2, 3;
 *  2. batches on each independent component (unknowns linked by equations): one LP maximizes
 *     Σ min(x_i, up_i) (or minimizes Σ max(0, x_i - down_i)) and proves every unknown that reaches
 *     its target at the optimum; the next LP does the same for those left, and so on;
 *  3. one by one, exactly, for what is still unproven: those are the verdicts of failure.
 */
import type { Highs, Model } from "highs";
import highsModule from "highs";

// The package's ESM entry exports the loader as default; its types are written for CommonJS.
const loadHighs = highsModule as unknown as () => Promise<Highs>;

export interface Equation {
  /** [unknown index, coefficient] pairs. */
  readonly terms: readonly (readonly [number, number])[];
  readonly rhs: number;
}

export interface LinearSystem {
  readonly unknowns: number;
  readonly equations: readonly Equation[];
}

export interface Target {
  readonly unknown: number;
  /** The upper bound must reach at least this (absent: not checked). */
  readonly up?: number;
  /** The lower bound must reach at most this (absent: not checked). */
  readonly down?: number;
}

export interface LpStats {
  solves: number;
  components: number;
  largestComponent: number;
}

let highsPromise: Promise<Highs> | undefined;
/** The solver, compiled once per process (or worker). */
export function solver(): Promise<Highs> {
  highsPromise ??= loadHighs();
  return highsPromise;
}

const TOL = 1e-6;

/** Independent subsystems, unknowns renumbered; `map[i]` is the original index of local unknown i. */
export function components(system: LinearSystem): { system: LinearSystem; map: number[] }[] {
  const parent = Int32Array.from({ length: system.unknowns }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (const eq of system.equations) {
    const first = eq.terms[0];
    if (!first) continue;
    for (const [v] of eq.terms) parent[find(v)] = find(first[0]);
  }
  const groups = new Map<number, { vars: number[]; equations: Equation[] }>();
  for (let i = 0; i < system.unknowns; i++) {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.vars.push(i);
    else groups.set(root, { vars: [i], equations: [] });
  }
  for (const eq of system.equations) {
    const first = eq.terms[0];
    if (first) groups.get(find(first[0]))!.equations.push(eq);
  }
  return [...groups.values()].map((g) => {
    const local = new Map(g.vars.map((v, i) => [v, i]));
    return {
      map: g.vars,
      system: {
        unknowns: g.vars.length,
        equations: g.equations.map((eq) => ({
          rhs: eq.rhs,
          terms: eq.terms.map(([v, c]) => [local.get(v)!, c] as const),
        })),
      },
    };
  });
}

/** One persistent HiGHS model of a system plus `aux` extra columns (appended after the unknowns). */
function buildModel(highs: Highs, system: LinearSystem, aux: { lower: number; upper: number }[]): Model {
  const n = system.unknowns + aux.length;
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const rowLower: number[] = [];
  for (const eq of system.equations) {
    for (const [v, c] of eq.terms) {
      indices.push(v);
      values.push(c);
    }
    starts.push(indices.length);
    rowLower.push(eq.rhs);
  }
  const colLower = new Float64Array(n);
  const colUpper = new Float64Array(n).fill(highs.infinity);
  aux.forEach((a, i) => {
    colLower[system.unknowns + i] = a.lower;
    colUpper[system.unknowns + i] = a.upper;
  });
  const model = highs.createModel();
  model.options.set("output_flag", false);
  model.options.set("solver", "simplex");
  model.options.set("presolve", "off");
  model.passModel({
    numCols: n,
    numRows: rowLower.length,
    colCost: new Float64Array(n),
    colLower,
    colUpper,
    rowLower,
    rowUpper: rowLower,
    matrix: { format: "csr", numRows: rowLower.length, numCols: n, starts, indices, values },
  });
  return model;
}

class LpError extends Error {}

function run(highs: Highs, model: Model, stats: LpStats): "optimal" | "unbounded" | "undecided" {
  stats.solves++;
  const { modelStatus } = model.run();
  const s = highs.constants.modelStatus;
  if (modelStatus === s.optimal || modelStatus === s.empty) return "optimal";
  if (modelStatus === s.unbounded) return "unbounded";
  // Infeasible-or-unbounded: the full system is feasible (the true counts satisfy it), so there it
  // means unbounded; a local system may not be, and there it proves nothing.
  if (modelStatus === s.unboundedOrInfeasible || modelStatus === s.infeasible) return "undecided";
  throw new LpError(`the LP audit ended with HiGHS model status ${modelStatus}`);
}

/** `run` on a system known to be feasible (the full system, or a component of it). */
function runFeasible(highs: Highs, model: Model, stats: LpStats): "optimal" | "unbounded" {
  const status = run(highs, model, stats);
  return status === "undecided" ? "unbounded" : status;
}

/** The feasible interval of each listed unknown (two LPs each); hi is Infinity when unbounded. */
export async function bounds(
  system: LinearSystem,
  unknowns: readonly number[],
  stats: LpStats = { solves: 0, components: 0, largestComponent: 0 },
): Promise<Map<number, { lo: number; hi: number }>> {
  const highs = await solver();
  const out = new Map<number, { lo: number; hi: number }>();
  const wanted = new Set(unknowns);
  for (const { system: sub, map } of components(system)) {
    const locals = map.flatMap((v, i) => (wanted.has(v) ? [i] : []));
    if (locals.length === 0) continue;
    stats.components++;
    stats.largestComponent = Math.max(stats.largestComponent, sub.unknowns);
    const model = buildModel(highs, sub, []);
    try {
      for (const i of locals) {
        model.changeColCost(i, 1);
        model.changeObjectiveSense(highs.constants.objectiveSense.minimize);
        runFeasible(highs, model, stats);
        const lo = model.getObjectiveValue();
        model.changeObjectiveSense(highs.constants.objectiveSense.maximize);
        const hi =
          runFeasible(highs, model, stats) === "unbounded"
            ? Number.POSITIVE_INFINITY
            : model.getObjectiveValue();
        model.changeColCost(i, 0);
        out.set(map[i]!, { lo: Math.max(0, lo), hi });
      }
    } finally {
      model.dispose();
    }
  }
  return out;
}

/**
 * The targets that fail: unknowns whose upper bound stays below `up` or whose lower bound stays
 * above `down`. Exact (an unknown the batches cannot prove is solved on its own).
 */
export async function certify(
  system: LinearSystem,
  targets: readonly Target[],
  stats: LpStats = { solves: 0, components: 0, largestComponent: 0 },
  truth?: readonly number[],
): Promise<Target[]> {
  const highs = await solver();
  const failing: Target[] = [];
  for (const { system: sub, map } of components(system)) {
    const back = new Map(map.map((v, i) => [v, i]));
    let local: { i: number; t: Target }[] = [];
    for (const t of targets) {
      const i = back.get(t.unknown);
      if (i !== undefined) local.push({ i, t });
    }
    if (local.length === 0) continue;
    stats.components++;
    stats.largestComponent = Math.max(stats.largestComponent, sub.unknowns);
    if (truth && sub.unknowns > LOCAL_FROM_UNKNOWNS) {
      // Large component: cheap local proofs first (sound), the rest by batches and one by one.
      const subTruth = map.map((v) => truth[v]!);
      const left = await proveLocally(
        highs,
        sub,
        local.map(({ i, t }) => ({ ...t, unknown: i })),
        subTruth,
        stats,
      );
      const original = new Map(local.map(({ i, t }) => [i, t]));
      local = left.map((t) => ({ i: t.unknown, t: { ...t, unknown: original.get(t.unknown)!.unknown } }));
    }
    for (const side of ["up", "down"] as const) {
      const open = local.filter(({ t }) => t[side] !== undefined);
      if (open.length === 0) continue;
      for (const t of await certifySide(highs, sub, open, side, stats)) failing.push(t);
    }
  }
  const seen = new Set<number>();
  return failing.filter((t) => !seen.has(t.unknown) && seen.add(t.unknown));
}

/** Components up to this size go straight to batches: local proofs pay off only on large ones. */
const LOCAL_FROM_UNKNOWNS = 400;

async function certifySide(
  highs: Highs,
  system: LinearSystem,
  open: { i: number; t: Target }[],
  side: "up" | "down",
  stats: LpStats,
): Promise<Target[]> {
  // up:   t_k in [0, up_k], t_k - x_k <= 0; maximize Σ t_k; proven when t_k reaches up_k.
  // down: s_k >= 0, s_k - x_k >= -down_k; minimize Σ s_k; proven when s_k is 0.
  const aux = open.map(({ t }) =>
    side === "up" ? { lower: 0, upper: t.up! } : { lower: 0, upper: highs.infinity },
  );
  const model = buildModel(highs, system, aux);
  try {
    open.forEach(({ i, t }, k) => {
      const col = system.unknowns + k;
      if (side === "up") model.addRow(-highs.infinity, 0, { indices: [col, i], values: [1, -1] });
      else model.addRow(-t.down!, highs.infinity, { indices: [col, i], values: [1, -1] });
    });
    model.changeObjectiveSense(
      side === "up" ? highs.constants.objectiveSense.maximize : highs.constants.objectiveSense.minimize,
    );
    let remaining = open.map((o, k) => ({ ...o, k }));
    for (const r of remaining) model.changeColCost(system.unknowns + r.k, 1);
    while (remaining.length > 0) {
      runFeasible(highs, model, stats);
      const value = model.getSolution().colValue;
      const proven = remaining.filter((r) => {
        const a = value[system.unknowns + r.k]!;
        return side === "up" ? a >= r.t.up! - TOL : a <= TOL;
      });
      if (proven.length === 0) break;
      for (const r of proven) model.changeColCost(system.unknowns + r.k, 0);
      const done = new Set(proven);
      remaining = remaining.filter((r) => !done.has(r));
    }
    for (const r of remaining) model.changeColCost(system.unknowns + r.k, 0);
    // One by one for what the batches could not prove.
    const failing: Target[] = [];
    for (const r of remaining) {
      model.changeColCost(r.i, 1);
      const status = runFeasible(highs, model, stats);
      model.changeColCost(r.i, 0);
      const x = status === "unbounded" ? Number.POSITIVE_INFINITY : model.getObjectiveValue();
      const ok = side === "up" ? x >= r.t.up! - TOL : x <= r.t.down! + TOL;
      if (!ok) failing.push(r.t);
    }
    return failing;
  } finally {
    model.dispose();
  }
}

const LOCAL_RADII = [1, 2, 3];
const LOCAL_MAX_UNKNOWNS = 400;

/** Step 1 of `certify`: the targets (and sides) no local LP could prove. */
async function proveLocally(
  highs: Highs,
  system: LinearSystem,
  targets: readonly Target[],
  truth: readonly number[],
  stats: LpStats,
): Promise<Target[]> {
  const equationsOf: number[][] = Array.from({ length: system.unknowns }, () => []);
  system.equations.forEach((eq, e) => {
    for (const [v] of eq.terms) equationsOf[v]!.push(e);
  });
  const left: Target[] = [];
  for (const target of targets) {
    let up = target.up;
    let down = target.down;
    for (const radius of LOCAL_RADII) {
      if (up === undefined && down === undefined) break;
      const inside = new Set([target.unknown]);
      let frontier = [target.unknown];
      for (let r = 0; r < radius && inside.size <= LOCAL_MAX_UNKNOWNS; r++) {
        const next: number[] = [];
        for (const v of frontier)
          for (const e of equationsOf[v]!)
            for (const [w] of system.equations[e]!.terms)
              if (!inside.has(w)) {
                inside.add(w);
                next.push(w);
              }
        frontier = next;
      }
      if (inside.size > LOCAL_MAX_UNKNOWNS) break;
      const local = [...inside];
      const index = new Map(local.map((v, i) => [v, i]));
      const equations = new Set<number>();
      for (const v of local) for (const e of equationsOf[v]!) equations.add(e);
      const sub: LinearSystem = {
        unknowns: local.length,
        equations: [...equations].map((e) => {
          const eq = system.equations[e]!;
          let rhs = eq.rhs;
          const terms: (readonly [number, number])[] = [];
          for (const [w, c] of eq.terms) {
            const i = index.get(w);
            if (i === undefined) rhs -= c * truth[w]!;
            else terms.push([i, c]);
          }
          return { terms, rhs };
        }),
      };
      const model = buildModel(highs, sub, []);
      try {
        model.changeColCost(0, 1);
        if (up !== undefined) {
          model.changeObjectiveSense(highs.constants.objectiveSense.maximize);
          const status = run(highs, model, stats);
          if (status === "unbounded" || (status === "optimal" && model.getObjectiveValue() >= up - TOL))
            up = undefined;
        }
        if (down !== undefined) {
          model.changeObjectiveSense(highs.constants.objectiveSense.minimize);
          const status = run(highs, model, stats);
          if (status === "optimal" && model.getObjectiveValue() <= down + TOL) down = undefined;
        }
      } finally {
        model.dispose();
      }
    }
    if (up !== undefined || down !== undefined) {
      left.push({
        unknown: target.unknown,
        ...(up !== undefined ? { up } : {}),
        ...(down !== undefined ? { down } : {}),
      });
    }
  }
  return left;
}
