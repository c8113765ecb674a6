/**
 * The `reporting` views and the read-only role doctel_reporting (migrations reporting_views and
 * reporting_publications): what the role may read and do, and that the views show the
 * publications (graphql/analytics/publications) and nothing else, so Grafana discloses exactly
 * what the API publishes, audited with everything else.
 */
import type { PoolClient } from "pg";
import { describe, expect, it } from "vitest";
import { DISTRICTS, STATES } from "../../shared/reference/regions.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { seedAndPublish } from "./cases.ts";

const db = useTestDatabase();

const VIEWS = [
  "weekly_cases_national",
  "weekly_cases_by_state",
  "weekly_cases_by_district",
  "weekly_cases_by_age_sex",
] as const;

/** The four views as the role reads them (inside the caller's transaction). */
interface ViewRows {
  national: { week_label: string; icd10_category: string; cases: number | null }[];
  states: { week_label: string; icd10_category: string; state_code: number; cases: number | null }[];
  districts: {
    week_label: string;
    icd10_category: string;
    state_code: number;
    district_code: number;
    cases: number | null;
  }[];
  ageSex: {
    week_label: string;
    icd10_chapter: number | null;
    age_band: string;
    sex: string;
    cases: number | null;
  }[];
}

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
        "SELECT week_label, icd10_chapter, age_band, sex, cases FROM reporting.weekly_cases_by_age_sex",
      ),
    };
  } finally {
    await client.query("RESET ROLE");
  }
}

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
        "api.case_publication",
        "api.case_publication_cell",
        "api.noisy_answer",
        "api.privacy_ledger",
        "reporting.published_week_cell",
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
  let seeded: Promise<void> | undefined;
  const seed = () => {
    seeded ??= seedAndPublish(db.pool);
    return seeded;
  };

  it("read the publications only: no rollup, record or table of the indexer behind them", async () => {
    const { rows } = await db.pool.query<{ name: string; definition: string }>(
      "SELECT viewname AS name, definition FROM pg_views WHERE schemaname = 'reporting'",
    );
    expect(rows.map((r) => r.name).sort()).toEqual([...VIEWS, "published_week_cell"].sort());
    for (const r of rows) {
      expect(r.definition, r.name).not.toMatch(/case_count_daily|case_trend_weekly|treatment|patient|event_/);
    }
    const cell = rows.find((r) => r.name === "published_week_cell")!;
    expect(cell.definition).toMatch(/case_publication_cell/);
  });

  it("show exactly the published cells of each table, NULL where suppressed, and no count of 1..10", async () => {
    await seed();
    const client = await db.pool.connect();
    try {
      await client.query("BEGIN");
      const published = await client.query<{ key: string; count: number | null }>(
        `SELECT p.label || '|' || c.region || '|' || c.diagnosis || '|' || c.age || '|' || c.sex AS key, c.count
           FROM case_publication_cell c JOIN case_publication p ON p.id = c.publication_id
          WHERE c.level = 'WEEK'
            AND ((c.diagnosis LIKE 'C:%' AND c.age = '*' AND c.sex = '*')
              OR (c.region = '*' AND (c.diagnosis = '*' OR c.diagnosis LIKE 'CH:%') AND c.age <> '*' AND c.sex <> '*'))`,
      );
      const expected = new Map(published.rows.map((r) => [r.key, r.count]));
      const views = await readViews(client);
      const seen: [string, number | null][] = [
        ...views.national.map(
          (r) => [`${r.week_label}|*|C:${r.icd10_category}|*|*`, r.cases] as [string, number | null],
        ),
        ...views.states.map(
          (r) =>
            [`${r.week_label}|S:${r.state_code}|C:${r.icd10_category}|*|*`, r.cases] as [
              string,
              number | null,
            ],
        ),
        ...views.districts.map(
          (r) =>
            [`${r.week_label}|D:${r.district_code}|C:${r.icd10_category}|*|*`, r.cases] as [
              string,
              number | null,
            ],
        ),
        ...views.ageSex.map(
          (r) =>
            [
              `${r.week_label}|*|${r.icd10_chapter === null ? "*" : `CH:${r.icd10_chapter}`}|${r.age_band}|${r.sex}`,
              r.cases,
            ] as [string, number | null],
        ),
      ];
      expect(seen.length).toBe(expected.size);
      for (const [key, cases] of seen) {
        expect(expected.has(key), key).toBe(true);
        expect(cases).toBe(expected.get(key));
        expect(cases === null || cases === 0 || cases >= 11).toBe(true);
      }
      expect(seen.some(([, cases]) => cases === null)).toBe(true);
      expect(seen.some(([, cases]) => cases !== null)).toBe(true);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("name states and districts as shared/reference/regions.ts does", async () => {
    await seed();
    const { rows } = await db.pool.query<{
      state_code: number;
      state_name: string;
      district_code: number;
      district_name: string;
    }>(
      "SELECT DISTINCT state_code, state_name, district_code, district_name FROM reporting.weekly_cases_by_district",
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.state_name).toBe(STATES.find((x) => x.code === r.state_code)?.name);
      expect(r.district_name).toBe(DISTRICTS.find((x) => x.code === r.district_code)?.name);
    }
  });
});
