/**
 * The `reporting` views and the read-only role doctel_reporting (migration reporting_views): what
 * the role may read and do, and the disclosure control of the views — no count of 1..10 released,
 * none recoverable by subtraction — on chosen cases and on random ones.
 */
import fc from "fast-check";
import type { PoolClient } from "pg";
import { describe, expect, it } from "vitest";
import { DISTRICTS, STATES } from "../../shared/reference/regions.ts";
import { formatEpiWeek, isoWeek } from "../../shared/reference/weeks.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { recoverableCells, type ViewRows } from "./audit.ts";
import {
  AGE_BANDS_5Y,
  type Case,
  currentMonday,
  dayString,
  pooledDistrict,
  releasableDistricts,
  SEXES,
  seasonOfCases,
  writeCases,
} from "./cases.ts";

const db = useTestDatabase();

const VIEWS = [
  "weekly_cases_national",
  "weekly_cases_by_state",
  "weekly_cases_by_district",
  "weekly_cases_by_age_sex",
] as const;

/** Runs `fn` in a transaction that is always rolled back: the rollups hold `cases` meanwhile. */
async function withCases<T>(
  cases: (monday: number) => Case[],
  fn: (client: PoolClient, monday: number, written: Case[]) => Promise<T>,
): Promise<T> {
  const client = await db.pool.connect();
  try {
    await client.query("BEGIN");
    const monday = await currentMonday(client);
    const written = cases(monday);
    await writeCases(client, written);
    return await fn(client, monday, written);
  } finally {
    await client.query("ROLLBACK");
    client.release();
  }
}

/** The four views as the role reads them (inside the caller's transaction). */
async function readViews(client: PoolClient): Promise<ViewRows> {
  await client.query("SET LOCAL ROLE doctel_reporting");
  try {
    const q = async <R>(sql: string) => (await client.query(sql)).rows as R[];
    return {
      national: await q("SELECT week_label, icd10_category, cases FROM reporting.weekly_cases_national"),
      states: await q(
        "SELECT week_label, icd10_category, state_code, cases FROM reporting.weekly_cases_by_state",
      ),
      districts: await q(
        "SELECT week_label, icd10_category, state_code, district_code, cases FROM reporting.weekly_cases_by_district",
      ),
      ageSex: await q(
        "SELECT week_label, icd10_category, age_band, sex, cases FROM reporting.weekly_cases_by_age_sex",
      ),
    };
  } finally {
    await client.query("RESET ROLE");
  }
}

const repeat = (n: number, c: Case): Case[] => Array.from({ length: n }, () => ({ ...c }));
const weekLabel = (day: number) => formatEpiWeek(isoWeek(dayString(day)), "iso");

/** Expects the query to fail with "permission denied" (or a read-only / not-updatable refusal). */
async function refused(client: PoolClient, sql: string): Promise<string> {
  await client.query("SAVEPOINT attempt");
  try {
    await client.query(sql);
  } catch (error) {
    await client.query("ROLLBACK TO SAVEPOINT attempt");
    return (error as Error).message;
  }
  throw new Error(`expected the role to be refused: ${sql}`);
}

describe("the read-only role doctel_reporting", () => {
  it("cannot log in, and may read the four views and nothing else, because raw records stay behind the views", async () => {
    const role = await db.pool.query(
      "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'doctel_reporting'",
    );
    expect(role.rows).toEqual([
      { rolcanlogin: false, rolsuper: false, rolcreaterole: false, rolcreatedb: false },
    ]);

    const client = await db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL ROLE doctel_reporting");
      for (const view of VIEWS) await client.query(`SELECT * FROM reporting.${view} LIMIT 1`);
      for (const table of [
        "treatment",
        "patient",
        "patient_history",
        "event_log",
        "vital",
        "attachment",
        "member",
        "api.access_audit_log",
        "case_count_daily",
        "case_trend_weekly",
        "reporting.state_ref",
        "reporting.district_ref",
      ]) {
        expect(await refused(client, `SELECT * FROM ${table} LIMIT 1`)).toMatch(/permission denied/);
      }
      // What the role holds, from the catalog: SELECT on the four views, USAGE on the schema.
      const grants = await client.query<{ object: string; privilege: string }>(
        `SELECT table_schema || '.' || table_name AS object, privilege_type AS privilege
           FROM information_schema.role_table_grants WHERE grantee = 'doctel_reporting' ORDER BY 1, 2`,
      );
      expect(grants.rows).toEqual(
        VIEWS.map((v) => ({ object: `reporting.${v}`, privilege: "SELECT" })).sort((a, b) =>
          a.object.localeCompare(b.object),
        ),
      );
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("cannot write anything: not the views, not the tables, not new objects", async () => {
    const client = await db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL ROLE doctel_reporting");
      const statements = [
        "INSERT INTO reporting.weekly_cases_by_state (week_start, icd10_category, state_code, cases) VALUES ('2026-01-05', 'A09', 27, 5)",
        "UPDATE reporting.weekly_cases_national SET cases = 1",
        "DELETE FROM reporting.weekly_cases_by_district",
        "INSERT INTO case_trend_weekly (system, week_start, diagnosis_category, state_code, district_code, count) VALUES ('ISO', '2026-01-05', 'A09', 27, 519, 1)",
        "UPDATE treatment SET stage = 'CLOSED'",
        "DELETE FROM event_log",
        "TRUNCATE case_count_daily",
        "CREATE TABLE reporting.leak (n int)",
        "CREATE TABLE public.leak (n int)",
        "CREATE VIEW reporting.leak AS SELECT 1",
        "DROP VIEW reporting.weekly_cases_national",
      ];
      for (const sql of statements) {
        expect(await refused(client, sql)).toMatch(
          /permission denied|must be owner|cannot (insert|update|delete)/,
        );
      }
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });
});

describe("the reporting views", () => {
  it("name states and districts as shared/reference/regions.ts does, because their population decides what is released", async () => {
    const states = await db.pool.query<{ code: number; name: string }>(
      "SELECT code, name FROM reporting.state_ref ORDER BY code",
    );
    expect(states.rows).toEqual(STATES.map((s) => ({ code: s.code, name: s.name })));
    const districts = await db.pool.query(
      "SELECT code, state_code, name, population_2011 FROM reporting.district_ref ORDER BY code",
    );
    expect(districts.rows).toEqual(
      DISTRICTS.map((d) => ({
        code: d.code,
        state_code: d.stateCode,
        name: d.name,
        population_2011: d.population2011,
      })),
    );
  });

  it("suppress a small state and the next smallest, because one suppressed state would be N minus the others", async () => {
    const [d27] = releasableDistricts(27, 1);
    const [d29] = releasableDistricts(29, 1);
    const [d32] = releasableDistricts(32, 1);
    const base = { diagnosis: "A09.0", ageBand: "30-34", sex: "FEMALE" } as const;
    await withCases(
      (m) => [
        ...repeat(5, { ...base, day: m - 14, state: 27, district: d27! }),
        ...repeat(30, { ...base, day: m - 14, state: 29, district: d29! }),
        ...repeat(40, { ...base, day: m - 14, state: 32, district: d32! }),
      ],
      async (client) => {
        const v = await readViews(client);
        expect(v.national.map((r) => r.cases)).toEqual([75]);
        const byState = Object.fromEntries(v.states.map((r) => [r.state_code, r.cases]));
        expect(byState).toEqual({ 27: null, 29: null, 32: 40 });
        // 29 has one district: forced to be suppressed with its state (else it would be 29's count).
        const byDistrict = Object.fromEntries(v.districts.map((r) => [r.state_code, r.cases]));
        expect(byDistrict).toEqual({ 27: null, 29: null, 32: 40 });
        expect(recoverableCells(v)).toEqual([]);
      },
    );
  });

  it("keep suppressing the smallest states until the suppressed ones add up to 11, because 2 + 3 would disclose a group of 5", async () => {
    const base = { diagnosis: "J18.9", ageBand: "60-64", sex: "MALE" } as const;
    const place = (state: number) => ({ state, district: releasableDistricts(state, 1)[0]! });
    await withCases(
      (m) => [
        ...repeat(2, { ...base, day: m - 7, ...place(27) }),
        ...repeat(3, { ...base, day: m - 7, ...place(29) }),
        ...repeat(20, { ...base, day: m - 7, ...place(32) }),
        ...repeat(50, { ...base, day: m - 7, ...place(33) }),
      ],
      async (client) => {
        const v = await readViews(client);
        const byState = Object.fromEntries(v.states.map((r) => [r.state_code, r.cases]));
        expect(byState).toEqual({ 27: null, 29: null, 32: null, 33: 50 });
        expect(recoverableCells(v)).toEqual([]);
      },
    );
  });

  it("suppress districts of a state that was suppressed only as a complement, because its released districts would add up to it", async () => {
    const [a29, b29] = releasableDistricts(29, 2);
    const [a32, b32] = releasableDistricts(32, 2);
    const [a27] = releasableDistricts(27, 1);
    const base = { diagnosis: "E11.9", ageBand: "50-54", sex: "FEMALE" } as const;
    await withCases(
      (m) => [
        ...repeat(4, { ...base, day: m - 21, state: 27, district: a27! }),
        ...repeat(15, { ...base, day: m - 21, state: 29, district: a29! }),
        ...repeat(15, { ...base, day: m - 21, state: 29, district: b29! }),
        ...repeat(60, { ...base, day: m - 21, state: 32, district: a32! }),
        ...repeat(40, { ...base, day: m - 21, state: 32, district: b32! }),
      ],
      async (client) => {
        const v = await readViews(client);
        const byState = Object.fromEntries(v.states.map((r) => [r.state_code, r.cases]));
        expect(byState).toEqual({ 27: null, 29: null, 32: 100 });
        const districts = Object.fromEntries(v.districts.map((r) => [r.district_code, r.cases]));
        // Released, 15 + 15 would give state 29 = 30, then state 27 = 134 - 100 - 30 = 4.
        expect(districts).toEqual({ [a27!]: null, [a29!]: null, [b29!]: null, [a32!]: 60, [b32!]: 40 });
        expect(recoverableCells(v)).toEqual([]);
      },
    );
  });

  it("pool districts without a 2011 population of 20,000 (new, unknown or of another state) per state, as the API's datasets do", async () => {
    const [state, pooled] = pooledDistrict();
    const [named] = releasableDistricts(state, 1);
    const foreign = releasableDistricts(state === 27 ? 29 : 27, 1)[0]!;
    const base = { diagnosis: "A09.0", ageBand: "20-24", sex: "MALE", state } as const;
    await withCases(
      (m) => [
        ...repeat(6, { ...base, day: m - 14, district: pooled }),
        ...repeat(4, { ...base, day: m - 14, district: 5_000 }),
        ...repeat(3, { ...base, day: m - 14, district: foreign }),
        ...repeat(25, { ...base, day: m - 14, district: named! }),
      ],
      async (client) => {
        await client.query("SET LOCAL ROLE doctel_reporting");
        const { rows } = await client.query(
          "SELECT state_code, district_code, district_name, cases FROM reporting.weekly_cases_by_district ORDER BY district_code NULLS LAST",
        );
        await client.query("RESET ROLE");
        const name = DISTRICTS.find((d) => d.code === named)!.name;
        expect(rows).toEqual([
          { state_code: state, district_code: named, district_name: name, cases: 25 },
          { state_code: state, district_code: null, district_name: "Other districts", cases: 13 },
        ]);
      },
    );
  });

  it("release only completed ISO weeks, because the current week changes as cases arrive", async () => {
    const [d27] = releasableDistricts(27, 1);
    const base = { diagnosis: "A09.0", ageBand: "20-24", sex: "MALE", state: 27, district: d27! } as const;
    await withCases(
      (m) => [...repeat(20, { ...base, day: m - 1 }), ...repeat(30, { ...base, day: m })],
      async (client, monday) => {
        const v = await readViews(client);
        const previous = weekLabel(monday - 1);
        for (const rows of [v.national, v.states, v.districts, v.ageSex]) {
          expect(rows.map((r) => r.week_label)).toEqual([previous]);
        }
        expect(v.national[0]!.cases).toBe(20);
      },
    );
  });

  it("count ages in 20-year bands topped at 80+, and sexes by their enum label", async () => {
    const [d27] = releasableDistricts(27, 1);
    const base = { diagnosis: "A09.0", state: 27, district: d27! } as const;
    await withCases(
      (m) => [
        ...repeat(12, { ...base, day: m - 7, ageBand: "35-39", sex: "FEMALE" }),
        ...repeat(6, { ...base, day: m - 7, ageBand: "80-84", sex: "MALE" }),
        ...repeat(6, { ...base, day: m - 7, ageBand: "90+", sex: "MALE" }),
        ...repeat(11, { ...base, day: m - 7, ageBand: "0-4", sex: "MALE" }),
      ],
      async (client) => {
        await client.query("SET LOCAL ROLE doctel_reporting");
        const { rows } = await client.query(
          "SELECT age_band, age_from, sex, cases FROM reporting.weekly_cases_by_age_sex ORDER BY age_from, sex",
        );
        await client.query("RESET ROLE");
        expect(rows).toEqual([
          { age_band: "0-19", age_from: 0, sex: "MALE", cases: 11 },
          { age_band: "20-39", age_from: 20, sex: "FEMALE", cases: 12 },
          { age_band: "80+", age_from: 80, sex: "MALE", cases: 12 },
        ]);
      },
    );
  });

  it("release no count of 1..10 and nothing recoverable by subtraction on a season of realistic cases", async () => {
    await withCases(
      (m) => seasonOfCases(m, 8),
      async (client, _monday, cases) => {
        const v = await readViews(client);
        checkDisclosure(v, cases);
        const all = [...v.states, ...v.districts, ...v.ageSex];
        // Not vacuous: both released and suppressed cells, in every view.
        for (const rows of [v.states, v.districts, v.ageSex]) {
          expect(rows.some((r) => r.cases === null)).toBe(true);
          expect(rows.some((r) => r.cases !== null)).toBe(true);
        }
        expect(all.length).toBeGreaterThan(100);
      },
    );
  });

  it("release no count of 1..10 and nothing recoverable by subtraction, whatever the cases (property)", async () => {
    const [pooledState, pooled] = pooledDistrict();
    const places: [number, number][] = [
      ...releasableDistricts(27, 2).map((d): [number, number] => [27, d]),
      [29, releasableDistricts(29, 1)[0]!],
      [32, releasableDistricts(32, 1)[0]!],
      [pooledState, pooled],
    ];
    const cluster = fc.record({
      week: fc.integer({ min: 1, max: 2 }),
      day: fc.integer({ min: 0, max: 6 }),
      category: fc.constantFrom("A09.0", "J18.9"),
      place: fc.integer({ min: 0, max: places.length - 1 }),
      age: fc.integer({ min: 0, max: AGE_BANDS_5Y.length - 1 }),
      sex: fc.constantFrom(...SEXES),
      copies: fc.integer({ min: 1, max: 14 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(cluster, { maxLength: 40 }), async (clusters) => {
        await withCases(
          (m) =>
            clusters.flatMap((c) =>
              repeat(c.copies, {
                day: m - 7 * c.week + c.day,
                diagnosis: c.category,
                state: places[c.place]![0],
                district: places[c.place]![1],
                ageBand: AGE_BANDS_5Y[c.age]!,
                sex: c.sex,
              }),
            ),
          async (client, _monday, cases) => checkDisclosure(await readViews(client), cases),
        );
      }),
      { numRuns: 60 },
    );
  });
});

// ------------------------------------------------------------------------------ the checks

interface Line {
  /** The line's cells: true count and what was released (null: suppressed). */
  cells: { key: string; truth: number; released: number | null }[];
}

/**
 * What every release must satisfy: released cells are the true counts and never 1..10; in each
 * line, any suppression covers at least two cells adding up to 11 or more, or the whole line; a
 * state suppressed in the state view has a suppressed district; and the linear audit recovers
 * nothing.
 */
function checkDisclosure(v: ViewRows, cases: readonly Case[]): void {
  const released = [...v.national, ...v.states, ...v.districts, ...v.ageSex].map((r) => r.cases);
  expect(released.filter((n) => n !== null && n >= 1 && n <= 10)).toEqual([]);

  const truth = new Map<string, number>();
  const bump = (key: string) => truth.set(key, (truth.get(key) ?? 0) + 1);
  const releasable = new Set(
    DISTRICTS.filter((d) => (d.population2011 ?? 0) >= 20_000).map((d) => `${d.stateCode}/${d.code}`),
  );
  for (const c of cases) {
    const g = `${weekLabel(c.day)}/${c.diagnosis.slice(0, 3)}`;
    const lower = Number(/^\d+/.exec(c.ageBand)![0]);
    const band = lower >= 80 ? "80+" : `${Math.floor(lower / 20) * 20}-${Math.floor(lower / 20) * 20 + 19}`;
    const district = releasable.has(`${c.state}/${c.district}`) ? c.district : "other";
    bump(`${g} N`);
    bump(`${g} state ${c.state}`);
    bump(`${g} state ${c.state} district ${district}`);
    bump(`${g} ${band} ${c.sex}`);
  }
  const key = {
    national: (r: ViewRows["national"][number]) => `${r.week_label}/${r.icd10_category} N`,
    state: (r: ViewRows["states"][number]) => `${r.week_label}/${r.icd10_category} state ${r.state_code}`,
    district: (r: ViewRows["districts"][number]) =>
      `${r.week_label}/${r.icd10_category} state ${r.state_code} district ${r.district_code ?? "other"}`,
    ageSex: (r: ViewRows["ageSex"][number]) => `${r.week_label}/${r.icd10_category} ${r.age_band} ${r.sex}`,
  };
  const rows = [
    ...v.national.map((r) => ({ k: key.national(r), cases: r.cases })),
    ...v.states.map((r) => ({ k: key.state(r), cases: r.cases })),
    ...v.districts.map((r) => ({ k: key.district(r), cases: r.cases })),
    ...v.ageSex.map((r) => ({ k: key.ageSex(r), cases: r.cases })),
  ];
  // Every non-empty cell has a row (only completed weeks were seeded), released ones exactly.
  expect(rows.map((r) => r.k).sort()).toEqual([...truth.keys()].sort());
  for (const r of rows) {
    if (r.cases !== null) expect(r.cases, r.k).toBe(truth.get(r.k));
    else if (r.k.endsWith(" N")) expect(truth.get(r.k)!, r.k).toBeLessThanOrEqual(10);
  }

  const lines = new Map<string, Line>();
  const addCell = (line: string, k: string, cases: number | null) => {
    const l = lines.get(line) ?? { cells: [] };
    lines.set(line, l);
    l.cells.push({ key: k, truth: truth.get(k)!, released: cases });
  };
  for (const r of v.states) addCell(`${r.week_label}/${r.icd10_category} states`, key.state(r), r.cases);
  for (const r of v.ageSex) addCell(`${r.week_label}/${r.icd10_category} ages`, key.ageSex(r), r.cases);
  for (const r of v.districts) addCell(key.state(r), key.district(r), r.cases);
  const stateReleased = new Map(v.states.map((r) => [key.state(r), r.cases]));
  for (const [name, line] of lines) {
    const suppressed = line.cells.filter((c) => c.released === null);
    for (const c of line.cells) if (c.truth <= 10) expect(c.released, c.key).toBeNull();
    if (suppressed.length === 0 || suppressed.length === line.cells.length) continue;
    expect(suppressed.length, name).toBeGreaterThanOrEqual(2);
    expect(
      suppressed.reduce((s, c) => s + c.truth, 0),
      name,
    ).toBeGreaterThanOrEqual(11);
  }
  for (const [name, line] of lines) {
    if (stateReleased.get(name) === null) {
      expect(
        line.cells.some((c) => c.released === null),
        `${name}: districts of a suppressed state`,
      ).toBe(true);
    }
  }
  expect(recoverableCells(v)).toEqual([]);
}
