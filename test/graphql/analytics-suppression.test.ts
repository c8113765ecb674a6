import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aggregateParentOf } from "../../graphql/analytics/aggregates/nodes.ts";
import { isLineSafe, suppressCube } from "../../graphql/analytics/disclosure/complementary-suppression.ts";
import {
  buildCube,
  type Cube,
  type CubeDimension,
  cellKey,
  type DetailCell,
  TableTooLargeError,
  TOTAL,
} from "../../graphql/analytics/disclosure/cube.ts";
import { MIN_CELL_COUNT } from "../../graphql/analytics/disclosure/policy.ts";

/** A flat dimension: values -> TOTAL. */
const flat = (name: string): CubeDimension => ({ name, parentOf: (n) => (n === TOTAL ? null : TOTAL) });
/** A two-level dimension: "p.c" -> "p" -> TOTAL (like district -> state -> all). */
const tree = (name: string): CubeDimension => ({
  name,
  parentOf: (n) => (n === TOTAL ? null : n.includes(".") ? n.split(".")[0]! : TOTAL),
});

function table(rows: readonly (readonly [string, string, number])[]): DetailCell[] {
  return rows.map(([a, b, count]) => ({ coords: [a, b], count }));
}

const released = (cube: Cube, coords: string[]) => {
  const cell = cube.cells.get(cellKey(coords));
  if (!cell) return 0;
  return cell.suppressed ? null : cell.count;
};

describe("primary suppression", () => {
  it("suppresses every cell of 1 to 10 and releases 0 and 11+, because CMS's rule forbids publishing counts of 1-10", () => {
    const cube = buildCube(
      [flat("x")],
      [1, 5, 10, 11, 40].map((n, i) => ({ coords: [`v${i}`], count: n })),
      1000,
    );
    suppressCube(cube, MIN_CELL_COUNT);
    expect([0, 1, 2, 3, 4].map((i) => released(cube, [`v${i}`]))).toEqual([null, null, null, 11, 40]);
  });

  it("suppresses a small grand total too, because a margin is a cell like any other", () => {
    const cube = buildCube([flat("x")], [{ coords: ["a"], count: 3 }], 1000);
    suppressCube(cube, MIN_CELL_COUNT);
    expect(released(cube, [TOTAL])).toBeNull();
  });
});

describe("complementary suppression", () => {
  it("suppresses the smallest other cell of a row with exactly one suppressed cell, because total minus the rest would give it away", () => {
    // One row: a=4 (primary), b=30, c=12, total 46.
    const cube = buildCube(
      [flat("x")],
      table([]).concat([
        { coords: ["a"], count: 4 },
        { coords: ["b"], count: 30 },
        { coords: ["c"], count: 12 },
      ]),
      1000,
    );
    const result = suppressCube(cube, MIN_CELL_COUNT);
    expect(released(cube, ["a"])).toBeNull();
    expect(released(cube, ["c"])).toBeNull();
    expect(released(cube, ["b"])).toBe(30);
    expect(released(cube, [TOTAL])).toBe(46);
    expect(result).toMatchObject({ primary: 1, complementary: 1, totalsSuppressed: 0, auditComplete: true });
  });

  it("adds a third cell when two suppressed cells sum below 11, because their sum would be a small cell disclosed by subtraction", () => {
    const cube = buildCube(
      [flat("x")],
      [
        { coords: ["a"], count: 2 },
        { coords: ["b"], count: 3 },
        { coords: ["c"], count: 20 },
        { coords: ["d"], count: 50 },
      ],
      1000,
    );
    suppressCube(cube, MIN_CELL_COUNT);
    expect(["a", "b", "c", "d"].map((v) => released(cube, [v]))).toEqual([null, null, null, 50]);
  });

  it("protects a 2x2 table with margins by suppressing a rectangle", () => {
    // rows r1, r2; columns c1, c2. r1c1 = 3 is the only small cell.
    const cube = buildCube(
      [flat("row"), flat("col")],
      table([
        ["r1", "c1", 3],
        ["r1", "c2", 20],
        ["r2", "c1", 15],
        ["r2", "c2", 40],
      ]),
      1000,
    );
    suppressCube(cube, MIN_CELL_COUNT);
    expect(released(cube, ["r1", "c1"])).toBeNull();
    expect(released(cube, ["r1", "c2"])).toBeNull();
    expect(released(cube, ["r2", "c1"])).toBeNull();
    expect(released(cube, ["r2", "c2"])).toBeNull();
    // The margins stay released: each row and column has two suppressed cells.
    expect(released(cube, ["r1", TOTAL])).toBe(23);
    expect(released(cube, [TOTAL, "c1"])).toBe(18);
    expect(released(cube, [TOTAL, TOTAL])).toBe(78);
  });

  it("follows hierarchies: a suppressed district needs a second one within its state, because the state total is released", () => {
    const cube = buildCube(
      [tree("region")],
      [
        { coords: ["s1.d1"], count: 5 },
        { coords: ["s1.d2"], count: 25 },
        { coords: ["s1.d3"], count: 14 },
        { coords: ["s2.d4"], count: 30 },
      ],
      1000,
    );
    suppressCube(cube, MIN_CELL_COUNT);
    expect(released(cube, ["s1.d1"])).toBeNull();
    expect(released(cube, ["s1.d3"])).toBeNull();
    expect(released(cube, ["s1.d2"])).toBe(25);
    expect(released(cube, ["s1"])).toBe(44);
    expect(released(cube, ["s2.d4"])).toBe(30);
  });

  it("handles a trend column (districts and their total series each week) like any other line", () => {
    const weekDim: CubeDimension = { name: "week", parentOf: () => null };
    const cube = buildCube(
      [flat("region"), weekDim],
      table([
        ["d1", "w1", 7],
        ["d2", "w1", 30],
        ["d3", "w1", 12],
        ["d1", "w2", 30],
        ["d2", "w2", 30],
      ]),
      1000,
    );
    suppressCube(cube, MIN_CELL_COUNT);
    expect(released(cube, ["d1", "w1"])).toBeNull();
    expect(released(cube, ["d3", "w1"])).toBeNull();
    expect(released(cube, [TOTAL, "w1"])).toBe(49);
    // No line runs along the weeks: week 2 is untouched.
    expect(released(cube, ["d1", "w2"])).toBe(30);
  });

  it("refuses tables past the cell limit instead of truncating them", () => {
    const details = Array.from({ length: 50 }, (_, i) => ({ coords: [`a${i}`, `b${i}`], count: 20 }));
    expect(() => buildCube([flat("a"), flat("b")], details, 100)).toThrow(TableTooLargeError);
  });

  it("keys age bands, districts and codes by their node so margins match the coarser tables", () => {
    expect(aggregateParentOf("AGE_5:35-39")).toBe("AGE_10:30-39");
    expect(aggregateParentOf("AGE_10:90+")).toBe("AGE_20:80+");
    expect(aggregateParentOf("DISTRICT:27:466")).toBe("STATE:27");
    expect(aggregateParentOf("CODE:E11.9")).toBe("CATEGORY:E11");
    expect(aggregateParentOf("CATEGORY:E11")).toBe("CHAPTER:4");
    expect(aggregateParentOf("CHAPTER:4")).toBe(TOTAL);
    expect(aggregateParentOf(TOTAL)).toBeNull();
  });
});

// ------------------------------------------------------------------ properties

const countArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 10 }) },
  { weight: 5, arbitrary: fc.integer({ min: 11, max: 80 }) },
);

interface RandomTable {
  dims: CubeDimension[];
  details: DetailCell[];
}

/** Up to three dimensions, flat or two-level, with 2-4 values each, counts weighted toward small ones. */
const tableArb: fc.Arbitrary<RandomTable> = fc
  .array(
    fc.record({
      hierarchical: fc.boolean(),
      parents: fc.integer({ min: 1, max: 2 }),
      children: fc.integer({ min: 2, max: 3 }),
    }),
    {
      minLength: 1,
      maxLength: 3,
    },
  )
  .chain((specs) => {
    const leaves = specs.map((s, d) =>
      s.hierarchical
        ? Array.from({ length: s.parents * s.children }, (_, i) => `p${d}${Math.floor(i / s.children)}.c${i}`)
        : Array.from({ length: s.children + s.parents - 1 }, (_, i) => `v${d}${i}`),
    );
    const combos: string[][] = leaves.reduce<string[][]>(
      (acc, values) => acc.flatMap((c) => values.map((v) => [...c, v])),
      [[]],
    );
    return fc.array(countArb, { minLength: combos.length, maxLength: combos.length }).map((counts) => ({
      dims: specs.map((s, d) => (s.hierarchical ? tree(`d${d}`) : flat(`d${d}`))),
      details: combos.map((coords, i) => ({ coords, count: counts[i]! })),
    }));
  });

/** Two flat dimensions (rows and columns with their totals), 2-6 values each. */
const flatTableArb: fc.Arbitrary<RandomTable> = fc
  .tuple(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 6 }))
  .chain(([rows, cols]) =>
    fc.array(countArb, { minLength: rows * cols, maxLength: rows * cols }).map((counts) => ({
      dims: [flat("row"), flat("col")],
      details: counts.map((count, i) => ({ coords: [`r${Math.floor(i / cols)}`, `c${i % cols}`], count })),
    })),
  );

/**
 * The suppressed cells an attacker can solve for exactly from the released totals: x_i is determined
 * when the unit vector e_i lies in the row space of the line equations restricted to the suppressed
 * cells. Row reduction modulo a large prime (the coefficients are 0 and +-1).
 */
function determinedCells(cube: Cube): string[] {
  const P = 2_147_483_647n;
  const unknown = [...cube.cells.values()].filter((c) => c.suppressed);
  const index = new Map(unknown.map((c, i) => [c.key, i]));
  const n = unknown.length;
  const pivots: { col: number; row: bigint[] }[] = [];
  const reduce = (v: bigint[]): bigint[] => {
    for (const p of pivots) {
      const f = v[p.col]!;
      if (f !== 0n) for (let j = 0; j < n; j++) v[j] = (((v[j]! - f * p.row[j]!) % P) + P) % P;
    }
    return v;
  };
  for (const line of cube.lines) {
    const row = new Array<bigint>(n).fill(0n);
    let any = false;
    for (const cell of [line.total, ...line.members]) {
      const i = index.get(cell.key);
      if (i === undefined) continue;
      row[i] = (row[i]! + (cell === line.total ? P - 1n : 1n)) % P;
      any = true;
    }
    if (!any) continue;
    const r = reduce(row);
    const col = r.findIndex((v) => v !== 0n);
    if (col === -1) continue;
    const inv = modPow(r[col]!, P - 2n, P);
    const normalized = r.map((v) => (v * inv) % P);
    for (const p of pivots) {
      const f = p.row[col]!;
      if (f !== 0n) for (let j = 0; j < n; j++) p.row[j] = (((p.row[j]! - f * normalized[j]!) % P) + P) % P;
    }
    pivots.push({ col, row: normalized });
  }
  return unknown
    .filter((_, i) => {
      const e = new Array<bigint>(n).fill(0n);
      e[i] = 1n;
      return reduce(e).every((v) => v === 0n);
    })
    .map((c) => c.key);
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let result = 1n;
  let base = b % m;
  let exp = e;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % m;
    base = (base * base) % m;
    exp >>= 1n;
  }
  return result;
}

describe("suppression properties", () => {
  it("never releases a count between 1 and 10, in cells or margins", () => {
    fc.assert(
      fc.property(tableArb, ({ dims, details }) => {
        const cube = buildCube(dims, details, 100_000);
        suppressCube(cube, MIN_CELL_COUNT);
        for (const cell of cube.cells.values()) {
          if (!cell.suppressed) expect(cell.count === 0 || cell.count >= MIN_CELL_COUNT).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("leaves no row, column or hierarchy level from which a suppressed cell or a small group follows by subtraction", () => {
    fc.assert(
      fc.property(tableArb, ({ dims, details }) => {
        const cube = buildCube(dims, details, 100_000);
        suppressCube(cube, MIN_CELL_COUNT);
        for (const line of cube.lines) {
          expect(isLineSafe(line, MIN_CELL_COUNT)).toBe(true);
          const suppressed = [line.total, ...line.members].filter((c) => c.suppressed);
          expect(suppressed.length).not.toBe(1);
          if (!line.total.suppressed && suppressed.length > 0) {
            const recovered =
              line.total.count - line.members.filter((m) => !m.suppressed).reduce((a, m) => a + m.count, 0);
            expect(recovered).toBeGreaterThanOrEqual(MIN_CELL_COUNT);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("leaves no suppressed cell of a row x column table solvable from all its totals together (linear algebra)", () => {
    fc.assert(
      fc.property(flatTableArb, ({ dims, details }) => {
        const cube = buildCube(dims, details, 100_000);
        suppressCube(cube, MIN_CELL_COUNT);
        expect(determinedCells(cube)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it("leaves no suppressed cell of any table (hierarchies, three dimensions) solvable from all its totals together", () => {
    fc.assert(
      fc.property(tableArb, ({ dims, details }) => {
        const cube = buildCube(dims, details, 100_000);
        expect(suppressCube(cube, MIN_CELL_COUNT).auditComplete).toBe(true);
        expect(determinedCells(cube)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
