/**
 * The postgres service's init script (docker/postgres-init/10-doctel-users.sh) run for real, with
 * psql, on the test server; then the migrations applied as the owner it creates (no superuser, no
 * CREATEROLE, as the migrate container does), the indexer's and the API's logins used as their
 * containers use them, and Grafana's login checked: it reads the reporting views and nothing else,
 * and writes nothing.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApiPool } from "../../graphql/db-pool.ts";
import { createPartitions } from "../../indexer/store/partitions.ts";
import { rollbackTo } from "../../indexer/store/rollback.ts";
import { applyMigrations } from "../../prisma/migrate.ts";
import { createPgPool } from "../../shared/db/pool.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { withClient } from "../../shared/services/postgres.ts";
import { seedAndPublish } from "../grafana/cases.ts";
import { ROOT } from "./compose.ts";

const run = promisify(execFile);
const suffix = randomUUID().replaceAll("-", "").slice(0, 10);
const names = {
  db: `doctel_compose_${suffix}`,
  app: `doctel_app_${suffix}`,
  indexer: `indexer_${suffix}`,
  api: `api_${suffix}`,
  grafana: `grafana_${suffix}`,
};
const passwords = {
  app: "b2".repeat(12),
  indexer: "e5".repeat(12),
  api: "f6".repeat(12),
  grafana: "c3".repeat(12),
};
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
      DOCTEL_INDEXER_DB_USER: names.indexer,
      DOCTEL_INDEXER_DB_PASSWORD: passwords.indexer,
      DOCTEL_API_DB_USER: names.api,
      DOCTEL_API_DB_PASSWORD: passwords.api,
      GRAFANA_DB_USER: names.grafana,
      GRAFANA_DB_PASSWORD: passwords.grafana,
    },
  });
});

afterAll(async () => {
  await withClient(admin.toString(), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${names.db}" WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS "${names.grafana}"`);
    await c.query(`DROP ROLE IF EXISTS "${names.indexer}"`);
    await c.query(`DROP ROLE IF EXISTS "${names.api}"`);
    await c.query(`DROP ROLE IF EXISTS "${names.app}"`);
  });
});

describe("the postgres init script and the migrations, as docker compose runs them", () => {
  it("creates an owner that migrates without being a superuser, and one login per process, each in its group only", async () => {
    const roles = await withClient(admin.toString(), (c) =>
      c.query(
        `SELECT r.rolname, r.rolsuper, r.rolcreaterole, r.rolcanlogin,
                ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                       WHERE m.member = r.oid ORDER BY 1) AS groups
           FROM pg_roles r WHERE r.rolname = ANY($1) ORDER BY r.rolname`,
        [[names.app, names.indexer, names.api, names.grafana]],
      ),
    );
    const login = (rolname: string, groups: string[]) => ({
      rolname,
      rolsuper: false,
      rolcreaterole: false,
      rolcanlogin: true,
      groups,
    });
    expect(roles.rows).toEqual(
      [
        login(names.app, []),
        login(names.indexer, ["doctel_indexer"]),
        login(names.api, ["doctel_api"]),
        login(names.grafana, ["doctel_reporting"]),
      ].sort((a, b) => a.rolname.localeCompare(b.rolname)),
    );

    const appUrl = urlAs(names.app, passwords.app, names.db);
    const { applied } = await applyMigrations({ databaseUrl: appUrl });
    expect(applied).toContainEqual(expect.stringMatching(/_reporting_views$/));
    expect(applied).toContainEqual(expect.stringMatching(/_api_schema_roles$/));

    // The indexer's container checks the migrations at start, as its own login: nothing to do, no privilege needed.
    const indexerUrl = urlAs(names.indexer, passwords.indexer, names.db);
    expect((await applyMigrations({ databaseUrl: indexerUrl })).applied).toEqual([]);
    // The indexer writes the rollups as its login, and the API publishes the closed weeks as its own.
    const logger = createSilentLogger();
    const pool = createPgPool({ connectionString: indexerUrl, name: "indexer", logger, max: 1 });
    const apiUrl = urlAs(names.api, passwords.api, names.db);
    const apiPool = createApiPool({ databaseUrl: apiUrl, size: 2, logger });
    try {
      // Partitions ahead (as ensure_block_partitions' owner) and a reorg rollback (through a
      // temporary table: the migrations give the indexer's group TEMPORARY, which the script
      // revoked from PUBLIC), as its login; rolled back, so nothing of it stays.
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await createPartitions((fn) => fn(client)).ensure(0n, 3_000_000n);
        await rollbackTo(client, 0n);
        await client.query("ROLLBACK");
      } finally {
        client.release();
      }
      await seedAndPublish(pool, 3, apiPool);
    } finally {
      await apiPool.end();
      await pool.end();
    }
  });

  it("lets the API's login read the chain-derived tables and append to the audit log, never rewrite it", async () => {
    await withClient(urlAs(names.api, passwords.api, names.db), async (c) => {
      expect((await c.query("SELECT count(*)::int AS n FROM case_trend_weekly")).rows[0].n).toBeGreaterThan(
        0,
      );
      await c.query(
        `INSERT INTO api.access_audit_log (request_id, viewer, viewer_roles, operation, record_type, record_ids)
         VALUES ('init-test', 'x', '{}', 'init test', 'PATIENT', '{}')`,
      );
      // Datasets are built in temporary tables: the script grants TEMPORARY on the database.
      await c.query("CREATE TEMP TABLE api_scratch (n int)");
      for (const sql of [
        "UPDATE api.access_audit_log SET viewer = 'y'",
        "DELETE FROM api.access_audit_log",
        "INSERT INTO case_trend_weekly (system, week_start, diagnosis_category, state_code, district_code, count) VALUES ('ISO', '2026-01-05', 'A09', 27, 519, 1)",
      ]) {
        await expect(c.query(sql), sql).rejects.toThrow(/permission denied/);
      }
    });
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
