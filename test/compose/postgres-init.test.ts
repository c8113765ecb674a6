/**
 * The postgres service's init script (docker/postgres-init/10-doctel-users.sh) run for real, with
 * psql, on the test server; then the migrations applied as the application user it creates (no
 * superuser, no CREATEROLE, as the indexer container does), and Grafana's login checked: it reads
 * the reporting views and nothing else, and writes nothing.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { applyMigrations } from "../../prisma/migrate.ts";
import { withClient } from "../../shared/services/postgres.ts";
import { seedAndPublish } from "../grafana/cases.ts";
import { ROOT } from "./compose.ts";

const run = promisify(execFile);
const suffix = randomUUID().replaceAll("-", "").slice(0, 10);
const names = {
  db: `doctel_compose_${suffix}`,
  app: `doctel_app_${suffix}`,
  grafana: `grafana_${suffix}`,
};
const passwords = { app: "b2".repeat(12), grafana: "c3".repeat(12) };
const admin = new URL(inject("databaseAdminUrl"));
const urlAs = (user: string, password: string, db: string) => {
  const u = new URL(admin);
  u.username = user;
  u.password = password;
  u.pathname = `/${db}`;
  return u.toString();
};

beforeAll(async () => {
  await run("sh", [path.join(ROOT, "docker/postgres-init/10-doctel-users.sh")], {
    env: {
      PATH: process.env.PATH,
      POSTGRES_USER: decodeURIComponent(admin.username),
      PGHOST: admin.hostname,
      PGPORT: admin.port,
      PGPASSWORD: decodeURIComponent(admin.password),
      DOCTEL_DB_NAME: names.db,
      DOCTEL_DB_USER: names.app,
      DOCTEL_DB_PASSWORD: passwords.app,
      GRAFANA_DB_USER: names.grafana,
      GRAFANA_DB_PASSWORD: passwords.grafana,
    },
  });
});

afterAll(async () => {
  await withClient(admin.toString(), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${names.db}" WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS "${names.grafana}"`);
    await c.query(`DROP ROLE IF EXISTS "${names.app}"`);
  });
});

describe("the postgres init script and the migrations, as docker compose runs them", () => {
  it("creates an application user that owns the database and can migrate it without being a superuser", async () => {
    const roles = await withClient(admin.toString(), (c) =>
      c.query(
        `SELECT r.rolname, r.rolsuper, r.rolcreaterole, r.rolcanlogin,
                pg_has_role(r.oid, 'doctel_reporting', 'MEMBER') AS reporting
           FROM pg_roles r WHERE r.rolname IN ($1, $2) ORDER BY r.rolname`,
        [names.app, names.grafana],
      ),
    );
    expect(roles.rows).toEqual(
      [
        { rolname: names.app, rolsuper: false, rolcreaterole: false, rolcanlogin: true, reporting: false },
        { rolname: names.grafana, rolsuper: false, rolcreaterole: false, rolcanlogin: true, reporting: true },
      ].sort((a, b) => a.rolname.localeCompare(b.rolname)),
    );

    const appUrl = urlAs(names.app, passwords.app, names.db);
    const { applied } = await applyMigrations({ databaseUrl: appUrl });
    expect(applied).toContainEqual(expect.stringMatching(/_reporting_views$/));

    // The indexer writes the rollups, and the API publishes the closed weeks, as this user.
    const pool = new pg.Pool({ connectionString: appUrl, max: 2 });
    try {
      await seedAndPublish(pool, 3);
    } finally {
      await pool.end();
    }
  });

  it("gives Grafana's login the reporting views, read-only, and refuses it raw tables and writes", async () => {
    await withClient(urlAs(names.grafana, passwords.grafana, names.db), async (c) => {
      expect((await c.query("SHOW default_transaction_read_only")).rows).toEqual([
        { default_transaction_read_only: "on" },
      ]);
      const states = await c.query("SELECT cases FROM reporting.weekly_cases_by_state");
      expect(states.rows.length).toBeGreaterThan(0);
      expect(states.rows.filter((r) => r.cases !== null && r.cases >= 1 && r.cases <= 10)).toEqual([]);
      for (const sql of [
        "SELECT * FROM treatment",
        "SELECT * FROM patient",
        "SELECT * FROM event_log",
        "SELECT * FROM case_count_daily",
      ]) {
        await expect(c.query(sql), sql).rejects.toThrow(/permission denied/);
      }
      for (const sql of [
        "CREATE TABLE reporting.leak (n int)",
        "INSERT INTO case_trend_weekly (system, week_start, diagnosis_category, state_code, district_code, count) VALUES ('ISO', '2026-01-05', 'A09', 27, 519, 1)",
      ]) {
        await expect(c.query(sql), sql).rejects.toThrow(/read-only transaction|permission denied/);
      }
    });
  });

  it("keeps other logins out of the DocTel database, because the script revokes CONNECT from PUBLIC", async () => {
    const stranger = `stranger_${suffix}`;
    await withClient(admin.toString(), (c) => c.query(`CREATE ROLE "${stranger}" LOGIN PASSWORD 'x'`));
    try {
      await expect(withClient(urlAs(stranger, "x", names.db), (c) => c.query("SELECT 1"))).rejects.toThrow(
        /permission denied for database/,
      );
    } finally {
      await withClient(admin.toString(), (c) => c.query(`DROP ROLE "${stranger}"`));
    }
  });
});
