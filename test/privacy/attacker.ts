/**
 * The attacker of the privacy tests: takes everything published (every week, period and year, as
 * the API or the database gives it), rebuilds every public equation between the cells (each
 * hierarchy's lines inside a node, and period/year = sum of their weeks across nodes) and solves
 * the linear programs: the feasible interval of each suppressed cell given all of it at once.
 *
 * "Recovered" (exact publications): a suppressed cell whose true count c is 1..10 and whose
 * interval [lo, hi] breaks the protection rule (hi < max(11, 1.5c) or lo > 0.5c); in particular
 * any cell pinned to one value, or known to lie within 1..10.
 */
import type pg from "pg";
import { type TimeNode, weeksOf } from "../../graphql/analytics/publications/calendar.ts";
import {
  buildLattice,
  cellKey,
  type LatticeCell,
  linkLines,
} from "../../graphql/analytics/publications/lattice.ts";
import {
  bounds,
  certify,
  type Equation,
  type LinearSystem,
} from "../../graphql/analytics/publications/lp.ts";
import {
  isProtected,
  isSensitive,
  lowerTarget,
  upperTarget,
} from "../../graphql/analytics/publications/protection.ts";
import { weekRows } from "../../graphql/analytics/publications/publish.ts";

export interface PublishedNode {
  level: "WEEK" | "PERIOD" | "YEAR";
  firstDay: string;
  lastDay: string;
  cells: { region: string; diagnosis: string; age: string; sex: string; count: number | null }[];
}

/** Everything published, straight from the tables the API reads. */
export async function readEverything(pool: pg.Pool): Promise<PublishedNode[]> {
  const { rows: nodes } = await pool.query<{
    id: number;
    level: PublishedNode["level"];
    first: string;
    last: string;
  }>(
    `SELECT id, level, to_char(first_day, 'YYYY-MM-DD') AS first, to_char(last_day, 'YYYY-MM-DD') AS last
       FROM case_publication ORDER BY first_day, level`,
  );
  const { rows: cells } = await pool.query<{
    publication_id: number;
    region: string;
    diagnosis: string;
    age: string;
    sex: string;
    count: number | null;
  }>("SELECT publication_id, region, diagnosis, age, sex, count FROM case_publication_cell");
  const byId = new Map<number, PublishedNode>(
    nodes.map((n) => [n.id, { level: n.level, firstDay: n.first, lastDay: n.last, cells: [] }]),
  );
  for (const c of cells) byId.get(c.publication_id)?.cells.push(c);
  return [...byId.values()];
}

export interface SuppressedCell {
  node: PublishedNode;
  key: string;
  /** The true count (from the rollup: the test knows it, the attacker does not). */
  truth: number;
  lo: number;
  hi: number;
}

const nodeKey = (n: { level: string; firstDay: string }) => `${n.level}@${n.firstDay}`;

/** The attacker's linear system over every suppressed cell of every published node. */
export function attackerSystem(published: readonly PublishedNode[], system: "ISO" | "MMWR") {
  const unknowns: { node: PublishedNode; key: string }[] = [];
  const index = new Map<string, number>();
  const known = new Map<string, number>();
  const equations: Equation[] = [];
  const cellsOf = new Map<string, Map<string, LatticeCell>>();
  for (const node of published) {
    const cells = new Map<string, LatticeCell>();
    for (const c of node.cells) {
      const key = cellKey(c);
      cells.set(key, {
        ...c,
        key,
        count: c.count ?? 0,
        suppressed: c.count === null,
        memberOf: [],
        totalOf: [],
      });
      const k = `${nodeKey(node)}|${key}`;
      if (c.count === null) {
        index.set(k, unknowns.length);
        unknowns.push({ node, key });
      } else known.set(k, c.count);
    }
    cellsOf.set(nodeKey(node), cells);
  }
  const term = (
    nk: string,
    key: string,
    coefficient: number,
    acc: { terms: [number, number][]; rhs: number },
  ) => {
    const k = `${nk}|${key}`;
    const i = index.get(k);
    if (i !== undefined) acc.terms.push([i, coefficient]);
    else acc.rhs -= coefficient * (known.get(k) ?? 0);
  };
  // Lines inside each node.
  for (const node of published) {
    const nk = nodeKey(node);
    for (const line of linkLines(cellsOf.get(nk)!)) {
      const acc = { terms: [] as [number, number][], rhs: 0 };
      term(nk, line.total.key, -1, acc);
      for (const m of line.members) term(nk, m.key, 1, acc);
      if (acc.terms.length > 0) equations.push(acc);
    }
  }
  // Periods and years: each cell is the sum of the same cell over their weeks.
  for (const node of published) {
    if (node.level === "WEEK") continue;
    const weeks = weeksOf(
      { level: node.level, firstDay: node.firstDay, lastDay: node.lastDay } as TimeNode,
      system,
    );
    const keys = new Set<string>();
    for (const w of weeks)
      for (const key of cellsOf.get(nodeKey({ level: "WEEK", firstDay: w.firstDay }))?.keys() ?? [])
        keys.add(key);
    for (const key of cellsOf.get(nodeKey(node))!.keys()) keys.add(key);
    for (const key of keys) {
      const acc = { terms: [] as [number, number][], rhs: 0 };
      term(nodeKey(node), key, -1, acc);
      for (const w of weeks) term(nodeKey({ level: "WEEK", firstDay: w.firstDay }), key, 1, acc);
      if (acc.terms.length > 0) equations.push(acc);
    }
  }
  const linear: LinearSystem = { unknowns: unknowns.length, equations };
  return { linear, unknowns };
}

/** The true count of every cell of every node, from the rollup (what the test knows). */
export async function truthOf(pool: pg.Pool, published: readonly PublishedNode[], system: "ISO" | "MMWR") {
  const truth = new Map<string, number>();
  for (const node of published) {
    const weeks =
      node.level === "WEEK"
        ? [{ firstDay: node.firstDay, lastDay: node.lastDay }]
        : weeksOf({ level: node.level, firstDay: node.firstDay, lastDay: node.lastDay } as TimeNode, system);
    for (const w of weeks) {
      const lattice = buildLattice(
        await weekRows(pool, { ...w, level: "WEEK", label: "", year: 0, index: 0 }),
      );
      for (const c of lattice.cells.values()) {
        const k = `${nodeKey(node)}|${c.key}`;
        truth.set(k, (truth.get(k) ?? 0) + c.count);
      }
    }
  }
  return truth;
}

/**
 * Every suppressed cell whose true count is sensitive, checked against the rule over everything
 * published at once: all of them with `certify` (exact verdicts: a pass is a feasible solution
 * reaching the target, a failure is an LP optimum short of it), and `sample` of them again with
 * plain per-cell bounds (two LPs each), the slow and obvious way, as a cross-check.
 */
export async function attack(
  pool: pg.Pool,
  system: "ISO" | "MMWR",
  sample = 20,
  /** What the attacker collected (default: everything published, read from the database). */
  collected?: readonly PublishedNode[],
): Promise<{ published: PublishedNode[]; sensitive: SuppressedCell[]; recovered: SuppressedCell[] }> {
  const published = collected ? [...collected] : await readEverything(pool);
  const { linear, unknowns } = attackerSystem(published, system);
  const truth = await truthOf(pool, published, system);
  const truthOfUnknown = unknowns.map((u) => truth.get(`${nodeKey(u.node)}|${u.key}`) ?? 0);
  const sensitiveIndexes = unknowns.flatMap((_, i) => (isSensitive(truthOfUnknown[i]!) ? [i] : []));
  const failing = await certify(
    linear,
    sensitiveIndexes.map((i) => ({
      unknown: i,
      up: upperTarget(truthOfUnknown[i]!),
      down: lowerTarget(truthOfUnknown[i]!),
    })),
    undefined,
    truthOfUnknown,
  );
  const step = Math.max(1, Math.floor(sensitiveIndexes.length / sample));
  const checked = sensitiveIndexes.filter((_, k) => k % step === 0).slice(0, sample);
  const b = await bounds(linear, [...checked, ...failing.map((t) => t.unknown)]);
  const cell = (i: number): SuppressedCell => ({
    node: unknowns[i]!.node,
    key: unknowns[i]!.key,
    truth: truthOfUnknown[i]!,
    lo: b.get(i)?.lo ?? Number.NaN,
    hi: b.get(i)?.hi ?? Number.NaN,
  });
  const sampled = checked.map(cell);
  // A cell certify could not prove is re-solved the plain way: recovered only if its bounds break the rule.
  const recovered = [...failing.map((t) => cell(t.unknown)), ...sampled].filter(
    (s) => !isProtected(s.truth, s.lo, s.hi),
  );
  return { published, sensitive: sensitiveIndexes.map((i) => ({ ...cell(i) })), recovered };
}
